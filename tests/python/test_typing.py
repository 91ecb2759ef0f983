"""mypy on the package (with the compiled module's stubs, python/fastlifetimes/_core.pyi) and
on a script using the public API the way the README does. Settings: [tool.mypy] in
pyproject.toml."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytest.importorskip("mypy", reason="mypy is a test extra")


def test_mypy_package_and_readme_usage():
    if "libasan" in os.environ.get("LD_PRELOAD", ""):
        pytest.skip("type checking does not involve the extension: it runs in the plain pass")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(ROOT / "build" / "mypy-cache"),
         "python/fastlifetimes", "tests/typing/readme_usage.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_stubs_cover_the_compiled_module():
    # a function added to a binding must be added to _core.pyi too
    import ast

    from fastlifetimes import _core

    tree = ast.parse((ROOT / "python" / "fastlifetimes" / "_core.pyi").read_text())
    stubbed = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    stubbed |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign)}
    public = {name for name in dir(_core) if not name.startswith("_")} | {"__version__"}
    assert public - stubbed == set()
    assert {n for n in stubbed - public if not n.startswith("_")} == set()


def test_typing_files_are_installed():
    # the installed package (CI installs the wheel built from this checkout) carries them
    import fastlifetimes

    package = Path(fastlifetimes.__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "_core.pyi").is_file()
