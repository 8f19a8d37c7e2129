"""Reusable widgets: the parts screens and dialogs are built from."""
