"""What each command does besides building: check, explain, diff, translations, scaffolding
and the live preview. cli.py parses options and calls one of these."""
