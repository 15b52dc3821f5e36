"""Organiser (and later volunteer) accounts: login, sessions, roles."""
