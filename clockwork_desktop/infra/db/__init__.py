"""SQLite storage: the single source of truth shared by the tray app and the CLI."""
