"""Core layer tests (sans-I/O: pipes, routing, options, socket types on fake peers)."""
