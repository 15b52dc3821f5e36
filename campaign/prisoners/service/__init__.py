"""The prisoners' side's work, a module per job: the register and its import, facilities, whom
to write to (prisoners), the phrasebook, volunteers' sign-in and letters, reminders, the
organisers' dashboard."""
