"""agentdesk: a keyboard-driven terminal desk for call-center agents."""

__version__ = "0.1.0"
