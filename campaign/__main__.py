"""`python -m campaign` is the `campaign` command."""

from campaign.site.cli import main

main()
