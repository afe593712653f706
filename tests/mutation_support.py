"""Support for mutation testing (docs/mutation.md), imported by the tests written for it.

mutmut runs, for each mutant, only the tests that called the mutated function when it
recorded the suite. briefgen caches the Unicode folds of the leak guard (textnorm's
per-character tables and needles) and the PDF fingerprint, so the code that builds them
runs once per session, in whichever test came first, and mutmut would try its mutants
against that one test only. `fresh_caches` empties those caches before
each test of the modules that import it, so that code runs (and is recorded) in each of them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


def examples(default: int) -> int:
    """How many examples a property test tries: BRIEFGEN_PROPERTY_EXAMPLES scales them (in
    per cent) for mutation runs, which run the test once per mutant."""
    scale = int(os.environ.get("BRIEFGEN_PROPERTY_EXAMPLES", "100"))
    return max(1, default * scale // 100)


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    from briefgen import textnorm
    from briefgen.build import run as build

    for name in ("_LOWERED", "_AS_WRITTEN"):
        table = getattr(textnorm, name, None)
        if isinstance(table, dict):
            table.clear()
    for name, module in (("needles", textnorm), ("_fingerprint", build)):
        clear = getattr(getattr(module, name, None), "cache_clear", None)
        if clear is not None:
            clear()
    yield
