"""Screenshots of the main pages of the built site, as a reader sees them.

    sphinx-build -W -b html doc doc/_build/html
    python doc/screenshots.py [--site doc/_build/html] [--out /tmp/shots]
        [--width 390] [--dark] [--page cli.html ...]

Renders each page from ``file://`` with headless Chromium (Debian's
``chromium`` package) and no network, so what the images show is what a
reader on an offline cluster sees: formulas typeset by the MathJax shipped
with the site, the theme, the plots. Not part of CI: it needs a browser and
takes a few seconds per page. ``--dark`` asks for the reader's dark colour
scheme, which the theme follows; ``--page`` names other pages of the site
(repeatable), in place of the main ones.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOC = Path(__file__).resolve().parent

PAGES = {
    "landing": "index.html",
    "theory": "theory.html",
    "exp": "schedules/exp.html",
    "api-exp": "api/exp.html",
    "arguments": "arguments.html",
}

# Chromium's own background traffic is switched off: the pages must render
# from the site alone.
QUIET_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]


def browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("no Chromium found; on Debian: apt-get install -y chromium")


def screenshot(
    executable: str, url: str, image: Path, width: int, height: int, dark: bool
) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                executable,
                *QUIET_FLAGS,
                *(["--force-dark-mode"] if dark else []),
                f"--user-data-dir={profile}",
                # Time for MathJax to typeset before the picture is taken.
                "--virtual-time-budget=10000",
                f"--window-size={width},{height}",
                f"--screenshot={image}",
                url,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=DOC / "_build" / "html")
    parser.add_argument("--out", type=Path, default=Path("/tmp/shots"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2000)
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--page", action="append", metavar="PATH")
    args = parser.parse_args()
    pages = PAGES
    if args.page:
        pages = {
            path.removesuffix(".html").replace("/", "-"): path for path in args.page
        }
    site = args.site.resolve()
    if not (site / "index.html").is_file():
        sys.exit(f"no built site in {site}; run sphinx-build first")
    args.out.mkdir(parents=True, exist_ok=True)
    executable = browser()
    scheme = "dark" if args.dark else "light"
    for name, page in pages.items():
        image = args.out / f"{name}-{args.width}-{scheme}.png"
        url = f"{site.as_uri()}/{page}"
        screenshot(executable, url, image, args.width, args.height, args.dark)
        print(image)
    return 0


if __name__ == "__main__":
    sys.exit(main())
