"""Shared test set-up."""

# Hypothesis' pytest plugin imports hypothesis at the end of a run when no test did; under
# CPython 3.11, pytest rewriting its modules that late can fail with "SystemError: AST
# constructor recursion depth mismatch" (seen when running only the Discord tests). Importing it
# here, during collection, avoids that.
import hypothesis  # noqa: F401
