"""Dashboard and register export (filled in below)."""
