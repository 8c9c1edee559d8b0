"""Incidents and personal-data breaches (docs/incidents.md). Flask-free."""
