"""Accounts without HTTP: accounts and passwords, logging in and its sessions, two-factor login,
invitations. Import from the submodules."""
