"""Petitions' services, all the SQL of the domain: public (what the public sees), signing (sign,
confirm, discard, purge), counting (counts and tallies), manage (the organiser's work),
updates (mail to signers, unsubscribe), handover (what a hand-over document holds)."""
