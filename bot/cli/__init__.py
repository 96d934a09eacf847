"""The ``reading-group`` command line.

Each subcommand loads settings itself (never at import time), works without Discord unless it is
``run``, and reports problems as ``path:line: what is wrong`` with exit status 1.

:mod:`bot.cli.app` holds the parser and :func:`main` (the error funnel), :mod:`bot.cli.terminal`
the output; the commands are grouped by what they work on: :mod:`~bot.cli.content` (check,
readings, passage, search, import), :mod:`~bot.cli.concord` (concord), :mod:`~bot.cli.plans`
(plan, preview), :mod:`~bot.cli.data` (export, summary, backup) and :mod:`~bot.cli.run` (run,
sync).
"""

from bot.cli.app import build_parser, main
from bot.cli.terminal import ANSI, Terminal

__all__ = ["ANSI", "Terminal", "build_parser", "main"]
