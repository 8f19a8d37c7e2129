"""Calls reported by the phone system (CTI): the systems allowed to report them, and the call
legs their events describe (``newCall``, ``answer``, ``hangup``)."""
