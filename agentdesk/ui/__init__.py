"""What the screens share that is not a widget: the screen bases, text for the terminal,
table column widths, translated bindings, drafts and how a failed worker is worded."""
