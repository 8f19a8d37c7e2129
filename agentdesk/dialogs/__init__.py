"""Modal dialogs: forms on a call, prompts and notices over a screen; each dismisses a result."""
