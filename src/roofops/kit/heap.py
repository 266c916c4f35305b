"""The start-up heap, kept out of the garbage collector's way."""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Collect once, then freeze what is alive: the modules, templates, caches and (in a demo)
    the vendor sandboxes' data live as long as the process, and every full collection walked
    all of them again (at the demo size about 0.3 s with the whole server stopped, several
    times a minute under load). Called once start-up has built what it keeps."""
    gc.collect()
    gc.freeze()
