"""Resumable experiment sweeps: each finished row is stored once, as JSON, in a work directory.

Every experiment script runs its configurations through `cached_run`, so an interrupted
sweep starts again where it stopped; each row is written atomically.
"""

import json
import os

from tfrnnx.io_utils import write_text_atomically


def cached_run(workdir, key, run):
    """`run()`'s row, read from `<workdir>/<key>.json` when an earlier run stored it.

    With `workdir=None` nothing is cached.
    """
    if workdir is None:
        return run()
    path = os.path.join(workdir, f"{key}.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    row = run()
    os.makedirs(workdir, exist_ok=True)
    write_text_atomically(path, json.dumps(row, ensure_ascii=False, indent=1))
    return row
