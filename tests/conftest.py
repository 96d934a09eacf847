"""Shared test set-up."""

# Hypothesis' pytest plugin imports hypothesis at the end of a run when no test did; under
# CPython 3.11, pytest rewriting its modules that late can fail with "SystemError: AST
# constructor recursion depth mismatch" (seen when running only the Discord tests). Importing it
# here, during collection, avoids that.
import hypothesis  # noqa: F401

# A PostgreSQL server on 127.0.0.1 and a fresh database per test (tests/pg.py), or a skip.
from tests.pg import postgres_server, postgres_url

__all__ = ["postgres_server", "postgres_url"]
