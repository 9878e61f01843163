"""Clockwork Desktop: a system-tray time tracker for Jira, offline first."""

__version__ = "0.1.0"
