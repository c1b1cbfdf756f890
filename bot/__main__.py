"""`python -m bot` is the `newsbrief` command."""

import sys

from bot.cli.main import main

sys.exit(main())
