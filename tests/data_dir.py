"""Where the real datasets are; tests that need them skip visibly when there are none."""

import os
import unittest

DEFAULT_DATA_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")


def real_data_dir(subdir):
    """Path of ``$TFRNNX_DATA_DIR/subdir``; skips the calling test if it does not exist."""
    root = os.environ.get("TFRNNX_DATA_DIR") or DEFAULT_DATA_DIR
    path = os.path.join(root, subdir)
    if not os.path.isdir(path):
        raise unittest.SkipTest(
            f"needs real data: {path} does not exist (set TFRNNX_DATA_DIR to the data directory)"
        )
    return path
