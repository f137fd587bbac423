"""Loaded into schemathesis's virtual environment by scripts/schemathesis (through a .pth file).

CPython 3.11 (Debian 12's python3, and 3.11.7) can raise `SystemError: AST constructor recursion
depth mismatch` from `ast.parse` when it runs deep in the stack. Hypothesis calls `ast.parse` on
a module's source only to print a lambda readably; with many operations in our OpenAPI document
that happens deep enough in schemathesis's coverage phase to hit the bug, and the run stops
with a "Runtime Error" that says nothing about the server. This gives such a lambda the
description hypothesis itself uses when it cannot read the source ("lambda: <unknown>").
Nothing else changes: every generated case and check runs as before.
"""

try:
    from hypothesis.internal import lambda_sources as _sources
except ImportError:  # another hypothesis layout: nothing to work around
    _sources = None

if _sources is not None and hasattr(_sources, "_lambda_description"):
    _describe = _sources._lambda_description

    def _lambda_description(f, *args, **kwargs):
        try:
            return _describe(f, *args, **kwargs)
        except SystemError:
            return "lambda: <unknown>"

    _sources._lambda_description = _lambda_description
