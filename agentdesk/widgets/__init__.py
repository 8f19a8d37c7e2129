"""Reusable widgets and the binding helpers every screen shares."""
