"""One version number: include/fastlifetimes/version.hpp. The wheel's metadata,
fastlifetimes.__version__, the model files and the CMake package must all say the same."""

import importlib.metadata
import json
import re
from pathlib import Path

import pytest

import fastlifetimes as lifetimes
from fastlifetimes import _core

ROOT = Path(__file__).resolve().parents[2]
HEADER = (ROOT / "include" / "fastlifetimes" / "version.hpp").read_text()
VERSION = re.search(r'#define FASTLIFETIMES_VERSION "([0-9.]+)"', HEADER).group(1)
FORMAT = int(re.search(r"#define FASTLIFETIMES_MODEL_FORMAT_VERSION (\d+)", HEADER).group(1))


def test_python_and_wheel_metadata():
    assert lifetimes.__version__ == _core.__version__ == VERSION
    assert importlib.metadata.version("fastlifetimes") == VERSION


def test_model_files(tmp_path):
    model = lifetimes.BetaGeoFitter().fit([0, 1, 2, 3], [0, 5, 10, 20], [30, 30, 30, 30])
    model.save_model(tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["library_version"] == VERSION
    assert document["format_version"] == FORMAT == _core.model_format_version


def test_cmake_package():
    # scripts/test.sh configures build/cpp before pytest runs
    config = ROOT / "build" / "cpp" / "fastlifetimesConfigVersion.cmake"
    if not config.exists():
        pytest.skip("configure build/cpp first (scripts/test.sh does)")
    assert f'set(PACKAGE_VERSION "{VERSION}")' in config.read_text()
