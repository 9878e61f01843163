"""Adapters behind the core ports: SQLite, Jira over HTTP, keyring, scheduler, OS services."""
