"""Where the real datasets are: the loaders' shared `data_dir` rule."""

import os


def resolve_data_dir(data_dir):
    """`data_dir`, or `$TFRNNX_DATA_DIR` when it is None; a ValueError when neither is set."""
    if data_dir is None:
        data_dir = os.environ.get("TFRNNX_DATA_DIR")
    if not data_dir:
        raise ValueError(
            "data_dir is not set: pass data_dir (or --data-dir) or set TFRNNX_DATA_DIR. "
            f"Received: data_dir={data_dir!r}"
        )
    return data_dir
