"""``python -m bot``: the same as the ``reading-group`` command."""

import sys

from bot.cli import main

sys.exit(main())
