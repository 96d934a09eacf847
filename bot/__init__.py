"""reading-group: a self-hosted Discord bot for reading groups."""

__version__ = "0.1.0"
