from agentdesk.cli import main

main()
