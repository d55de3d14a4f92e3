"""Sphinx configuration of the deepmd-lr documentation.

Build with ``sphinx-build -W -b html doc doc/_build/html``. Every figure and
command output is produced during the build from the installed package and
the files in ``examples/``; nothing generated is committed.
"""

import sys
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from docutils.nodes import field_list as field_list_node

import deepmd_lr

DOC = Path(__file__).resolve().parent
ROOT = DOC.parent
sys.path.insert(0, str(DOC / "_ext"))

from argument_reference import readable_powers  # noqa: E402

project = "deepmd-lr"
author = "deepmd-lr developers"
copyright = "deepmd-lr developers"
release = deepmd_lr.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    # MathJax served from the site itself: clusters often have no internet.
    "sphinx-mathjax-offline",
    "sphinx_copybutton",
    "matplotlib.sphinxext.plot_directive",
    "dargs.sphinx",
    "cli_output",
    "argument_reference",
    "schedule_keys",
    "problem_codes",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "_ext"]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
# The torch pages document their classes from a stand-in where torch is not
# installed, so that the docs extra alone builds every page.
autodoc_mock_imports = [] if find_spec("torch") else ["torch"]
autodoc_typehints = "description"
napoleon_numpy_docstring = True
napoleon_google_docstring = False

# Figures: drawn by the code in the pages, run from the repository root so
# that they read the inputs in examples/ exactly as a user would.
plot_working_directory = str(ROOT)
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
# SVG stays sharp at any width, a phone's included. The figure and its axes
# are transparent, so that a plot sits on the page's own background; the
# dark scheme inverts it (doc/_static/wrap.css).
plot_formats = ["svg"]
plot_rcparams = {
    "figure.figsize": (7.5, 3.2),
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.facecolor": "none",
    "svg.hashsalt": "deepmd-lr",
}
plot_pre_code = "from lr_figures import *"

cli_output_cwd = str(ROOT)

html_theme = "furo"
html_title = f"deepmd-lr {release}"
html_static_path = ["_static"]
html_css_files = ["wrap.css"]
# A block with prompts copies as its code alone: a console block as its
# commands, without the "$ " prompt or what they printed, and a Python
# example as its statements, without the ">>> " and "... " prompts or the
# results shown.
copybutton_prompt_text = r"\$ |>>> |\.\.\. "
copybutton_prompt_is_regexp = True


def _drop_return_type_of_exceptions(
    app: Any, domain: str, objtype: str, content: Any
) -> None:
    """An exception's entry shows no "Return type: None" of its constructor."""
    if domain != "py" or objtype != "exception":
        return
    for field_list in content.findall(field_list_node):
        for field in list(field_list):
            if field[0].astext() == "rtype":
                field_list.remove(field)


def _write_powers_readably(
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """A key's allowed range reads ``<= 2⁵³``, not ``<= 2**53 (9007199254740992)``."""
    lines[:] = [readable_powers(line) for line in lines]


def setup(app: Any) -> None:
    app.connect("autodoc-process-docstring", _write_powers_readably)
    # After autodoc has written the types into the description.
    app.connect(
        "object-description-transform", _drop_return_type_of_exceptions, priority=600
    )
