"""Shared pytest setup for tests/python (not a package: make sibling helper modules importable)."""

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

try:  # property tests: a fixed example sequence, so CI cannot fail by luck of the draw
    from hypothesis import settings as _settings

    _settings.register_profile("fastlifetimes", derandomize=True, database=None)
    _settings.load_profile("fastlifetimes")
except ImportError:  # hypothesis is a test extra
    pass
