"""Where the reference data of ../shared/data is (GPL and research data that the repository
does not ship): $FASTLIFETIMES_SHARED_DATA, else ../shared/data beside the checkout, else
this machine's /work/shared/data — CI clones the repository elsewhere, and a test that
skipped there for want of the data would prove nothing."""

import os
from pathlib import Path

import pytest

_CANDIDATES = [
    os.environ.get("FASTLIFETIMES_SHARED_DATA", ""),
    str(Path(__file__).resolve().parents[2].parent / "shared" / "data"),
    "/work/shared/data",
]


def shared_data_dir():
    """The first candidate directory that exists, or None."""
    for candidate in _CANDIDATES:
        if candidate and os.path.isdir(candidate):
            return Path(candidate)
    return None


def shared_data_path(*parts):
    """The path of a reference file; the calling test skips where the data is absent."""
    root = shared_data_dir()
    path = root.joinpath(*parts) if root is not None else None
    if path is None or not path.exists():
        pytest.skip(f"reference data {'/'.join(parts)} not found (set FASTLIFETIMES_SHARED_DATA)")
    return path
