"""Sphinx configuration of the skvhp documentation site.

Build: ``.venv/bin/python -m sphinx -W --keep-going -b html docs docs/_build/html``
(the README's command; CI runs it with warnings as errors). The examples in
``examples/`` are executed by sphinx-gallery during the build.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.exceptions import ConvergenceWarning  # noqa: E402

import skvhp  # noqa: E402

# The results pages the docs include are generated from the results files at every
# build, so a table cannot disagree with its file (benchmarks/_results_pages.py).
sys.path.insert(0, str(ROOT / "benchmarks"))
from _results_pages import write_pages  # noqa: E402

write_pages(ROOT / "docs" / "results")
sys.path.remove(str(ROOT / "benchmarks"))  # its scripts' names must not shadow others

# An example whose fit does not converge (REWO stuck in or skipping its initial phase)
# fails the build instead of showing a warning on the page.
warnings.filterwarnings("error", category=ConvergenceWarning)

# The examples that read real data sets find them where this project keeps them.
os.environ.setdefault("SKVHP_DATA", str(ROOT.parent / "shared" / "data"))

project = "skvhp"
author = "the skvhp developers"
copyright = "2026, the skvhp developers"
release = version = skvhp.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "results/*.md", "auto_examples/*.ipynb", "auto_examples/*.py"]
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]
suppress_warnings = ["myst.header"]

autosummary_generate = True
# Members inherited from the engine (_BaseVAE) are documented; scikit-learn's own
# mixins' members (get_params, set_output, metadata routing) are not.
autodoc_default_options = {
    "members": True,
    "inherited-members": "BaseEstimator,TransformerMixin,ClassNamePrefixFeaturesOutMixin",
}
_SKLEARN_PLUMBING = {"get_metadata_routing", "set_output", "fit_transform"}


def _skip_sklearn_plumbing(app, what, name, obj, skip, options):
    if name in _SKLEARN_PLUMBING or (name.startswith("set_") and name.endswith("_request")):
        return True
    return skip


def _link_figures(app, doctree) -> None:
    """Make every figure of the pages a link to its full-size image: the content column
    shrinks the multi-panel figures, and Sphinx links an image only when it has a size
    (``html_scaled_image_link``), so give the figures their column's width."""
    from docutils import nodes

    for image in doctree.findall(nodes.image):
        if image.get("uri", "").startswith("figures/"):
            image.setdefault("width", "100%")


def setup(app):
    app.connect("autodoc-skip-member", _skip_sklearn_plumbing)
    app.connect("doctree-read", _link_figures)


numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
    "torch": ("https://pytorch.org/docs/stable", None),
}
# The build machine may be offline: intersphinx then links nothing, and says so once.
intersphinx_timeout = 5
if os.environ.get("SKVHP_DOCS_OFFLINE", "1") == "1":
    intersphinx_mapping = {}

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "reference_url": {"skvhp": None},
    "matplotlib_animations": False,
    "show_memory": False,
}

html_theme = "furo"
html_title = f"skvhp {release}"
html_static_path: list[str] = []
