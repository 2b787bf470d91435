"""Shared test helpers (PeerPair for the ZMTP layer, ...)."""
