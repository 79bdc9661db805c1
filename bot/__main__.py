"""`python -m bot` is the `baocao` command."""

import sys

from bot.cli import main

sys.exit(main())
