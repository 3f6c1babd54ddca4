"""Sphinx configuration for netgraph's API reference (``bash scripts/docs``).

The reference is built from the docstrings: autodoc reads them, napoleon reads Google- and
NumPy-style sections, and sphinx-argparse documents the command line from the parser
``netgraph._cli.build_parser()`` returns. Warnings are errors (``-W`` in scripts/docs).
"""

from __future__ import annotations

import re
from typing import Any

import netgraph

project = "netgraph"
author = "netgraph's authors"
copyright = "netgraph's authors, MIT License"  # noqa: A001 (Sphinx's own name)
release = version = netgraph.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinxarg.ext",
]

# Each public name is documented once, where it is public (netgraph.Network, not
# netgraph._network.Network), in the order the source gives.
autodoc_default_options = {
    "members": True,
    "show-inheritance": True,
    "member-order": "bysource",
}
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
add_module_names = False
napoleon_google_docstring = True
napoleon_numpy_docstring = False

html_theme = "alabaster"
html_title = f"netgraph {release}"
exclude_patterns = ["_build", "README.md"]


# netgraph's docstrings write their **Arguments** / **Returns** lists as a bold heading
# followed directly by "- ``name``: ..." items (readable in help() and in editors).
# reStructuredText needs a blank line before and after a list; add just those blank lines
# rather than break the house style in every docstring.
_BULLET = re.compile(r"^(\s*)[-*] \S")


def _blank_lines_around_lists(app: Any, what: str, name: str, obj: Any, options: Any,
                              lines: list[str]) -> None:
    out: list[str] = []
    indent = None  # the open list's bullet indentation
    for line in lines:
        bullet = _BULLET.match(line)
        depth = len(line) - len(line.lstrip())
        if not line.strip():
            indent = None
        elif bullet and indent is None:
            if out and out[-1].strip():
                out.append("")
            indent = depth
        elif indent is not None and depth <= indent and not bullet:
            out.append("")
            indent = None
        out.append(line)
    lines[:] = out


def setup(app: Any) -> None:
    app.connect("autodoc-process-docstring", _blank_lines_around_lists)
