"""`python -m campaign` is the `campaign` command."""

from campaign.cli import main

main()
