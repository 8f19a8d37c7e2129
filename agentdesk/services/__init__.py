"""Domain services: functions over a Session. Rules and roles live here, not in screens.

Nothing in this package imports Textual; the CLI and the TUI call the same functions.
"""
