"""Pure domain rules. Standard library only; nothing here does I/O."""
