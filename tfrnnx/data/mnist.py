"""MNIST from its original IDX files (numpy only, no TensorFlow needed).

The files are LeCun's gzip'd IDX files, in `<data_dir>/mnist/`:
`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`,
`t10k-labels-idx1-ubyte.gz`; `data_dir` defaults to `$TFRNNX_DATA_DIR`.
"""

import gzip
import os

import numpy as np

SPLITS = {"train": "train", "test": "t10k"}

# IDX type codes (third byte of the magic number); multi-byte values are big-endian.
IDX_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _open(path):
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


def _parse_header(head, path):
    """(dtype, shape, header length) from the first bytes (or all) of an IDX file."""
    if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in IDX_DTYPES:
        raise ValueError(
            f"{path} is not an IDX file: its magic number must be 0x0000TTNN with type TT in "
            f"{sorted(hex(t) for t in IDX_DTYPES)}. Received: {head[:4].hex()}"
        )
    ndim = head[3]
    header_length = 4 + 4 * ndim
    if len(head) < header_length:
        raise ValueError(f"{path}: truncated IDX header ({len(head)} of {header_length} bytes)")
    shape = tuple(int(n) for n in np.frombuffer(head, ">u4", count=ndim, offset=4))
    return IDX_DTYPES[head[2]], shape, header_length


def read_idx_header(path):
    """Returns `(dtype, shape)` of an IDX file (optionally gzip'd), reading only its header."""
    with _open(path) as f:
        head = f.read(4)
        if len(head) == 4:
            head += f.read(4 * head[3])
    dtype, shape, _ = _parse_header(head, path)
    return dtype, shape


def read_idx(path):
    """Reads an IDX file (optionally gzip'd) into a numpy array of its type and shape."""
    with _open(path) as f:
        data = f.read()
    dtype, shape, offset = _parse_header(data, path)
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - offset != expected:
        raise ValueError(
            f"{path}: the header announces shape {shape} ({expected} bytes of data) but the "
            f"file holds {len(data) - offset} bytes after the header"
        )
    return np.frombuffer(data, dtype, offset=offset).reshape(shape).astype(dtype.newbyteorder("="))


def mnist_dir(data_dir=None):
    """`<data_dir>/mnist`, with `data_dir` defaulting to `$TFRNNX_DATA_DIR`."""
    if data_dir is None:
        data_dir = os.environ.get("TFRNNX_DATA_DIR")
        if not data_dir:
            raise FileNotFoundError(
                "No MNIST directory: pass data_dir or set TFRNNX_DATA_DIR to the directory "
                "that holds mnist/train-images-idx3-ubyte.gz etc."
            )
    return os.path.join(data_dir, "mnist")


def mnist_paths(split="train", data_dir=None):
    """Paths `(images, labels)` of the IDX files of `split` ("train" or "test")."""
    if split not in SPLITS:
        raise ValueError(f"split must be 'train' or 'test'. Received: split={split!r}")
    directory = mnist_dir(data_dir)
    prefix = SPLITS[split]
    paths = tuple(
        os.path.join(directory, f"{prefix}-{kind}-idx{ndim}-ubyte.gz")
        for kind, ndim in (("images", 3), ("labels", 1))
    )
    for path in paths:
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"MNIST file not found: {path} (set TFRNNX_DATA_DIR or pass data_dir to the "
                "directory that holds mnist/)"
            )
    return paths


def load_mnist(split="train", data_dir=None):
    """MNIST `split` as `(images, labels)`: uint8 `(N, 28, 28)` in 0..255, uint8 `(N,)` 0..9.

    Args:
        split: "train" (60000 digits) or "test" (10000).
        data_dir: directory holding `mnist/`; default `$TFRNNX_DATA_DIR`.
    """
    images_path, labels_path = mnist_paths(split, data_dir)
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(
            f"{images_path} and {labels_path} must hold (N, rows, cols) images and N labels. "
            f"Received shapes {images.shape} and {labels.shape}"
        )
    return images, labels
