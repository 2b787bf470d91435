"""ZMTP layer tests (sans-I/O: bytes in, events out)."""
