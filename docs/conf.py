"""Sphinx configuration: `sphinx-build -W -b html docs build/docs` (warnings are errors)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

project = "fastlifetimes"
author = "fastlifetimes contributors"
copyright = "fastlifetimes contributors, MIT licence"
# the one version number, read where CMake and the wheel read it
release = version = re.search(
    r'#define FASTLIFETIMES_VERSION "([0-9.]+)"',
    (ROOT / "include" / "fastlifetimes" / "version.hpp").read_text(),
).group(1)

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path: list = []

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": False}
napoleon_numpy_docstring = True
napoleon_google_docstring = False
# lifetimes-style docstrings name types in prose ("array_like", "Series of r, alpha, ..."),
# which are not cross-reference targets
napoleon_use_param = False
napoleon_use_rtype = False
# "Attributes" sections as fields: a property documented there too would be described twice
napoleon_use_ivar = True
nitpicky = False
