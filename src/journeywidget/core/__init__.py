"""The base layer: errors, ids and names, the shared vocabulary, clock and version."""
