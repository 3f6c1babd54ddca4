"""Progress bars for long loops (training epochs, evolution's generations).

One small API, whatever draws the bar::

    with ProgressBar(total=1000, desc="train", unit="epoch") as bar:
        for chunk in chunks:
            ...
            bar.update(len(chunk), error=0.012)   # advance, and show the latest values

Where it draws:

- tqdm installed (``pip install netgraph-nn[notebook]``): tqdm's bar, as a widget in a
  Jupyter kernel when ipywidgets is installed too, else as text on stderr. tqdm is the
  field's tool and users know it; it stays optional so a plain install stays light.
- without tqdm, in a Jupyter kernel: one line of text updated in place in the cell's output
  (IPython's ``display(..., display_id=True)``; IPython is there in any kernel).
- without tqdm, elsewhere: one line of text on stderr, redrawn with a carriage return.

``show``: ``True`` always, ``False`` never, ``"auto"`` (or ``None``) on a terminal (stderr
is a tty) or in a Jupyter kernel, and only once the loop has run for a second, so short
runs and scripts whose output goes to a file print nothing.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from types import TracebackType
from typing import Any, Literal

from ._exceptions import InputError

__all__ = ["ProgressBar"]

Show = bool | Literal["auto"] | None

#: seconds an ``"auto"`` bar waits before it first draws (short runs stay quiet)
AUTO_DELAY = 1.0
#: the text bars redraw at most this often (seconds)
REFRESH = 0.1


def in_jupyter_kernel() -> bool:
    """Whether this code runs in a Jupyter (IPython) kernel, whose cells show rich output."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def have_tqdm() -> bool:
    """Whether tqdm is installed (the bar then is tqdm's)."""
    return importlib.util.find_spec("tqdm") is not None


def _format(postfix: dict[str, Any]) -> str:
    return " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                    for k, v in postfix.items())


class ProgressBar:
    """A progress bar over ``total`` steps; a context manager (``close`` on exit).

    **Arguments**
    - ``total``: the number of steps the loop will take (e.g. epochs, generations).
    - ``desc``: a short label shown before the bar.
    - ``unit``: what one step is called (``"epoch"``, ``"generation"``).
    - ``show``: ``True``, ``False`` or ``"auto"`` (see the module's docstring).
    - ``tqdm``: use tqdm if it is installed (default); ``False`` forces the plain bar.
    """

    def __init__(self, total: int, *, desc: str = "", unit: str = "it", show: Show = "auto",
                 tqdm: bool = True) -> None:
        self.total = int(total)
        self.n = 0
        self.desc = desc
        self.unit = unit
        if show not in (True, False, None, "auto"):
            raise InputError(f"progress must be True, False or 'auto', got {show!r}")
        kernel = in_jupyter_kernel()
        if show is None or show == "auto":
            self.enabled = kernel or sys.stderr.isatty()
            self.delay = AUTO_DELAY
        else:
            self.enabled = bool(show)
            self.delay = 0.0
        self.start = time.perf_counter()
        self.last = -REFRESH
        self.postfix: dict[str, Any] = {}
        self._tqdm: Any = None
        self._display: Any = None
        self._drawn = False
        self.closed = False
        if self.enabled and tqdm and have_tqdm():
            self._tqdm = self._make_tqdm(kernel)

    def _make_tqdm(self, kernel: bool) -> Any:
        # imported by name: tqdm is optional and ships no types
        widget = kernel and importlib.util.find_spec("ipywidgets") is not None
        bar = importlib.import_module("tqdm.notebook" if widget else "tqdm.std").tqdm
        return bar(total=self.total, desc=self.desc or None, unit=self.unit, delay=self.delay,
                   file=sys.stderr, dynamic_ncols=True)

    def update(self, n: int = 1, **postfix: Any) -> None:
        """Advance by ``n`` steps and show ``postfix`` (e.g. ``error=0.01``) after the bar."""
        self.n += int(n)
        if postfix:
            self.postfix = postfix
        if not self.enabled or self.closed:
            return
        if self._tqdm is not None:
            if postfix:
                self._tqdm.set_postfix_str(_format(postfix), refresh=False)
            self._tqdm.update(int(n))
            return
        now = time.perf_counter()
        if now - self.start < self.delay or now - self.last < REFRESH:
            return
        self.last = now
        self._draw(now)

    def text(self, now: float | None = None) -> str:
        """The plain bar's line, e.g. ``train [######----] 600/1000 epoch 2.1s error=0.01``."""
        now = time.perf_counter() if now is None else now
        width = 30
        filled = int(width * min(self.n, self.total) / max(self.total, 1))
        head = f"{self.desc} " if self.desc else ""
        tail = f" {_format(self.postfix)}" if self.postfix else ""
        return (f"{head}[{'#' * filled}{'-' * (width - filled)}] {self.n}/{self.total} "
                f"{self.unit} {now - self.start:.1f}s{tail}")

    def _draw(self, now: float) -> None:
        line = self.text(now)
        if in_jupyter_kernel():
            display = importlib.import_module("IPython.display").display
            if self._display is None:
                self._display = display({"text/plain": line}, raw=True, display_id=True)
            else:
                self._display.update({"text/plain": line}, raw=True)
        else:
            sys.stderr.write("\r" + line)
            sys.stderr.flush()
        self._drawn = True

    def close(self) -> None:
        """Draw the final state (if the bar was shown) and release the line."""
        if self.closed:
            return
        self.closed = True
        if self._tqdm is not None:
            self._tqdm.close()
            return
        if not self.enabled:
            return
        now = time.perf_counter()
        # an "auto" bar that never drew (a short run) stays silent
        if self._drawn or now - self.start >= self.delay:
            self._draw(now)
            if self._display is None:
                sys.stderr.write("\n")
                sys.stderr.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ProgressBar({self.n}/{self.total} {self.unit}, desc={self.desc!r})"
