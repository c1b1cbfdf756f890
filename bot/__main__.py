"""`python -m bot` is the `newsbrief` command."""

import sys

from bot.cli.main import main

if __name__ == "__main__":  # a multiprocessing child may import it again (as __mp_main__)
    sys.exit(main())
