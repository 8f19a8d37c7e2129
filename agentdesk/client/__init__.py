"""The desk's one seam to the services: screens call a :class:`~agentdesk.client.desk.Desk`.

``desk.py`` says what the desk may ask (the interface, no Textual, no database);
``local.py`` answers it on this PC, over the open database and the logged-in agent.
A desk on a shared center will get another implementation of the same interface.
Nothing here is imported at start-up: ``local.py`` brings the database stack with it.
"""
