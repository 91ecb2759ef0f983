"""Regenerate python/fastlifetimes/_core.pyi from the installed compiled module.

    python scripts/make_stubs.py        (needs `pip install pybind11-stubgen`)

pybind11-stubgen writes the raw stubs; this tidies them into the checked-in file: short
aliases for the float64 array arguments and results, plain ``float``/``int`` for numbers,
parameterised ``dict``/``tuple`` results, no values on the constants, and a positional-only
``from_`` for the argument the binding names ``from`` (a Python keyword).
tests/python/test_typing.py fails when a binding is missing from the stubs.
"""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = """
# Inputs are cast once to contiguous float64 (or int64) arrays; results are float64 arrays.
_Floats: typing.TypeAlias = numpy.typing.ArrayLike
_Array: typing.TypeAlias = numpy.typing.NDArray[numpy.float64]
"""


def tidy(text: str) -> str:
    text = re.sub(r"typing\.Annotated\[numpy\.typing\.ArrayLike, numpy\.float64\]", "_Floats", text)
    text = re.sub(r"typing\.Annotated\[numpy\.typing\.ArrayLike, numpy\.\w+\]", "numpy.typing.ArrayLike", text)
    text = text.replace("typing.SupportsFloat | typing.SupportsIndex", "float")
    text = text.replace("typing.SupportsInt | typing.SupportsIndex", "int")
    text = text.replace("numpy.typing.NDArray[numpy.float64]", "_Array")
    text = re.sub(r"-> dict:\n", "-> dict[str, typing.Any]:\n", text)
    text = re.sub(r"-> tuple:\n", "-> tuple[typing.Any, ...]:\n", text)
    text = text.replace("import typing\n", "import typing\n" + HEADER, 1)
    # constants: the type, not this build's value
    text = re.sub(r"^(\w+): (str|int|float) = .*$", r"\1: \2", text, flags=re.M)
    # `from` is a keyword: callers pass it by position
    text = re.sub(
        r"^def (\w+)\((.*)\bfrom: (.*)\) ->",
        lambda m: ("# the binding names this argument `from`, a Python keyword: pass it by position\n"
                   f"def {m.group(1)}({m.group(2)}from_: {m.group(3)}, /) ->"),
        text, flags=re.M,
    )
    return text


def main() -> None:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, "-m", "pybind11_stubgen", "fastlifetimes._core", "-o", out],
                       check=True)
        raw = (Path(out) / "fastlifetimes" / "_core.pyi").read_text()
    (ROOT / "python" / "fastlifetimes" / "_core.pyi").write_text(tidy(raw))


if __name__ == "__main__":
    main()
