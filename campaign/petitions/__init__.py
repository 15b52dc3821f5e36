"""Petitions: signing with double opt-in, exact tallies, organiser tools and exports."""
