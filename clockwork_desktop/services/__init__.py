"""Use cases: core rules combined with ports. No Qt, no I/O libraries."""
