"""`python -m faq`: the command staff know; it offers the FAQ's commands and the staff
tools over the bot's records (this entry point is the one place faq/ reaches staff/)."""

import sys

from staff.cli import main

sys.exit(main())
