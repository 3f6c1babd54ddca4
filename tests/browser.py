"""Headless Chromium for the tests: Debian's ``/usr/bin/chromium`` driven by Playwright.

Playwright's own browser download does not work here (and is not wanted): the tests
use the system's Chromium, which ``.ci/run`` installs when it is missing. Without
it the browser tests fail with a message saying what to install; they never skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = os.environ.get("NETGRAPH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (a Playwright ``Browser``) for the duration of the block."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        raise AssertionError(f"the browser tests need Chromium at {CHROMIUM}: "
                             "apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
