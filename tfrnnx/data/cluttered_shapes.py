"""Cluttered shapes: a small image task generated in code (the demo's attention-model data).

One 7x7 shape (`SHAPES`: square outline, plus, cross, diamond) at a random position of an
empty canvas, with short line fragments as clutter; the label is the shape. Like cluttered
MNIST (thesis §4.4.1) in miniature: the class is visible only where the shape is, so an
attention model has to find it.
"""

import numpy as np

from tfrnnx._validation import check_integer

SHAPES = ("square", "plus", "cross", "diamond")


def _templates():
    square = np.zeros((7, 7), "float32")
    square[[0, -1], :] = square[:, [0, -1]] = 1.0
    plus = np.zeros((7, 7), "float32")
    plus[3, :] = plus[:, 3] = 1.0
    cross = np.maximum(np.eye(7, dtype="float32"), np.fliplr(np.eye(7, dtype="float32")))
    rows, cols = np.indices((7, 7))
    diamond = (np.abs(rows - 3) + np.abs(cols - 3) == 3).astype("float32")
    return np.stack([square, plus, cross, diamond])


TEMPLATES = _templates()


def cluttered_shapes(num_examples, canvas_size=40, num_clutter=6, seed=None):
    """`(images, labels)`: float32 `(n, canvas, canvas, 1)` in {0, 1} and int64 `(n,)`.

    Clutter: `num_clutter` 3-pixel horizontal or vertical segments at random positions
    (never a full shape: every template needs 7 pixels in a row or a diagonal).

    Example:

    >>> from tfrnnx.data.cluttered_shapes import cluttered_shapes
    >>> images, labels = cluttered_shapes(2, seed=0)
    >>> images.shape, labels.tolist()
    ((2, 40, 40, 1), [3, 2])
    """
    for name, value, low in (("num_examples", num_examples, 1), ("canvas_size", canvas_size, 7),
                             ("num_clutter", num_clutter, 0)):  # fmt: skip
        check_integer(name, value, minimum=low)
    rng = np.random.default_rng(seed)
    images = np.zeros((num_examples, canvas_size, canvas_size), "float32")
    labels = rng.integers(0, len(SHAPES), num_examples)
    for image, label in zip(images, labels):
        for _ in range(num_clutter):
            top, left = rng.integers(0, canvas_size - 2, size=2)
            if rng.random() < 0.5:
                image[top, left : left + 3] = 1.0
            else:
                image[top : top + 3, left] = 1.0
        top, left = rng.integers(0, canvas_size - 6, size=2)
        window = image[top : top + 7, left : left + 7]
        window[...] = np.maximum(window, TEMPLATES[label])
    return images[..., None], labels.astype("int64")
