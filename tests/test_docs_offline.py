"""The built documentation works without network access.

Training clusters are often offline, so every script, stylesheet, font and
image a page needs must come from the site itself. The scan of a built site
runs when ``DEEPMD_LR_DOCS_HTML`` names its directory (``.ci/run`` sets it
after building the site); the scanner itself is always tested.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

# Attributes through which a page loads something, by tag. A plain link to
# another site (<a href>, <link rel="next">) loads nothing and is allowed.
_LOADING_ATTRIBUTES = {
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "embed": "src",
    "audio": "src",
    "video": "src",
}
_LOADING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "manifest"}
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""")


def is_external(url: str) -> bool:
    """Whether the browser would fetch ``url`` from another host."""
    url = url.strip().lower()
    return url.startswith(("http:", "https:", "//", "ftp:"))


class _LoadedUrls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in _LOADING_ATTRIBUTES:
            url = values.get(_LOADING_ATTRIBUTES[tag], "")
            if url:
                self.urls.append((tag, url))
        elif tag == "link" and _LOADING_LINK_RELS & set(values.get("rel", "").split()):
            self.urls.append((f"link rel={values['rel']}", values.get("href", "")))


def loaded_urls(html: str) -> list[tuple[str, str]]:
    """``(element, url)`` of everything a page loads by itself."""
    parser = _LoadedUrls()
    parser.feed(html)
    return parser.urls


def external_loads(site: Path) -> list[str]:
    """Every script, stylesheet, image or CSS resource of ``site`` on another host."""
    found = []
    for page in sorted(site.rglob("*.html")):
        for element, url in loaded_urls(page.read_text(encoding="utf-8")):
            if is_external(url):
                found.append(f"{page.relative_to(site)}: {element} {url}")
    for sheet in sorted(site.rglob("*.css")):
        for match in _CSS_URL.finditer(sheet.read_text(encoding="utf-8")):
            url = match.group(1) or match.group(2)
            if is_external(url):
                found.append(f"{sheet.relative_to(site)}: {url}")
    return found


def test_scanner_finds_external_scripts_stylesheets_and_css_urls(
    tmp_path: Path,
) -> None:
    (tmp_path / "page.html").write_text(
        '<html><head><script src="https://cdn.example.org/tex-chtml.js"></script>'
        '<link rel="stylesheet" href="//fonts.example.org/a.css">'
        '<link rel="next" href="https://example.org/next.html">'
        '<script src="_static/local.js"></script></head>'
        '<body><a href="https://example.org">a plain link</a>'
        '<img src="http://example.org/x.png"></body></html>',
        encoding="utf-8",
    )
    (tmp_path / "style.css").write_text(
        "@font-face { src: url('https://example.org/font.woff2'); }\n"
        "a { background: url(\"data:image/svg+xml;utf8,<svg xmlns='http://x'/>\"); }",
        encoding="utf-8",
    )
    assert external_loads(tmp_path) == [
        "page.html: script https://cdn.example.org/tex-chtml.js",
        "page.html: link rel=stylesheet //fonts.example.org/a.css",
        "page.html: img http://example.org/x.png",
        "style.css: https://example.org/font.woff2",
    ]


@pytest.fixture(scope="module")
def built_site() -> Path:
    location = os.environ.get("DEEPMD_LR_DOCS_HTML")
    if not location:
        pytest.skip("set DEEPMD_LR_DOCS_HTML to a built site to scan it")
    site = Path(location)
    assert (site / "index.html").is_file(), f"no built site in {site}"
    return site


def test_built_site_loads_nothing_from_another_host(built_site: Path) -> None:
    assert external_loads(built_site) == []


def test_math_is_typeset_by_the_mathjax_shipped_with_the_site(
    built_site: Path,
) -> None:
    page = (built_site / "theory.html").read_text(encoding="utf-8")
    assert r"\eta_0" in page
    scripts = [url for element, url in loaded_urls(page) if element == "script"]
    mathjax = [url for url in scripts if "mathjax" in url.lower()]
    assert mathjax, scripts
    for url in mathjax:
        assert (built_site / url.split("?")[0]).is_file(), url
    fonts = built_site / "_static" / "mathjax" / "output" / "chtml" / "fonts"
    assert any(fonts.rglob("*.woff")), "the MathJax fonts are not in the site"
