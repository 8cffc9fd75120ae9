"""Cluttered MNIST and multi-digit MNIST sequences (thesis section 4.4.1), numpy only.

- `cluttered_mnist(..., task="single")`: one digit at a random position of a 100x100
  canvas with 8x8 fragments cut from other digits as clutter; 10 classes.
- `task="pair"`: two digits, classified as their unordered pair: 55 classes, see
  `pair_class` / `PAIR_CLASSES`.
- `task="sum"`: two digits on an empty background, classified by their sum: 19 classes.
- `multi_digit_mnist`: 1 to 5 digits in a row on a 64x64 canvas, a label sequence padded
  with `TERMINAL_CLASS`: a small stand-in for SVHN house numbers.

Digits are taken from any `(N, h, w)` array (e.g. `tfrnnx.data.load_mnist()`); canvases
have the digits' dtype, a trailing channel axis, and are combined with a pixel-wise
maximum where digits and clutter overlap. All draws come from
`numpy.random.default_rng(seed)`: the same seed gives the same data.

Example:

>>> import numpy as np, tfrnnx
>>> digits = np.full((20, 28, 28), 255, np.uint8)
>>> images, labels = tfrnnx.data.cluttered_mnist(
...     digits, np.arange(20) % 10, 4, task="pair", seed=0)
>>> images.shape, labels.shape, int(labels.max()) < 55
((4, 100, 100, 1), (4,), True)
>>> tfrnnx.data.PAIR_CLASSES[tfrnnx.data.pair_class(7, 3)]
(3, 7)
"""


import numpy as np

from tfrnnx._validation import check_integer

TASKS = ("single", "pair", "sum")
NUM_CLASSES = {"single": 10, "pair": 55, "sum": 19}
DEFAULT_NUM_CLUTTER = {"single": 8, "pair": 8, "sum": 0}
# Unordered digit pairs {a, b} with a <= b in lexicographic order: (0, 0) -> 0,
# (0, 1) -> 1, ..., (0, 9) -> 9, (1, 1) -> 10, ..., (9, 9) -> 54.
PAIR_CLASSES = tuple((a, b) for a in range(10) for b in range(a, 10))
TERMINAL_CLASS = 10
_MAX_PLACEMENT_TRIES = 1000


def pair_class(first, second):
    """Class index in 0..54 of the unordered digit pair {first, second}.

    Pairs are numbered lexicographically with the smaller digit first, so
    `PAIR_CLASSES[pair_class(a, b)] == (min(a, b), max(a, b))`.
    """
    a, b = sorted((int(first), int(second)))
    if not 0 <= a <= b <= 9:
        raise ValueError(f"digits must be in 0..9. Received: first={first}, second={second}")
    return a * (21 - a) // 2 + (b - a)


def _check_digits(digits, labels):
    digits, labels = np.asarray(digits), np.asarray(labels)
    if digits.ndim != 3 or len(digits) < 2:
        raise ValueError(
            "digits must be an (N, height, width) array with N >= 2. "
            f"Received: digits.shape={digits.shape}"
        )
    if labels.shape != (len(digits),) or labels.min() < 0 or labels.max() > 9:
        raise ValueError(
            f"labels must be {len(digits)} integers in 0..9, one per digit. "
            f"Received: labels.shape={labels.shape}"
        )
    return digits, labels.astype(np.int64)


def _paste(canvas, patch, top, left):
    """Pixel-wise maximum of ``patch`` into ``canvas`` at (top, left), in place."""
    window = canvas[top : top + patch.shape[0], left : left + patch.shape[1]]
    np.maximum(window, patch, out=window)


def _overlaps(box, other):
    (top, left, height, width), (top2, left2, height2, width2) = box, other
    rows_overlap = top < top2 + height2 and top2 < top + height
    return rows_overlap and left < left2 + width2 and left2 < left + width


def _place_apart(rng, count, height, width, canvas_size):
    """``count`` random (top, left) corners of height x width boxes that do not overlap."""
    boxes, tries_since_placed = [], 0
    for _ in range(_MAX_PLACEMENT_TRIES):
        top, left = rng.integers(0, canvas_size - height + 1, size=2)
        box = (int(top), int(left), height, width)
        if not any(_overlaps(box, other) for other in boxes):
            boxes.append(box)
            tries_since_placed = 0
            if len(boxes) == count:
                return [box[:2] for box in boxes]
        else:
            tries_since_placed += 1
            if tries_since_placed == 50:
                # The boxes placed so far may leave no room (e.g. one in the middle of a
                # small canvas): start over instead of trying the impossible.
                boxes, tries_since_placed = [], 0
    raise ValueError(
        f"canvas_size={canvas_size} is too small to place {count} {height}x{width} digits apart"
    )


def _add_clutter(rng, canvas, digits, exclude, num_clutter, clutter_size):
    """Pastes ``num_clutter`` random windows of digits other than ``exclude``."""
    sources = rng.integers(0, len(digits), size=num_clutter)
    while (hits := np.isin(sources, exclude)).any():
        sources[hits] = rng.integers(0, len(digits), size=int(hits.sum()))
    height, width = digits.shape[1:]
    for index in sources:
        top = rng.integers(0, height - clutter_size + 1)
        left = rng.integers(0, width - clutter_size + 1)
        fragment = digits[index, top : top + clutter_size, left : left + clutter_size]
        _paste(canvas, fragment, *rng.integers(0, canvas.shape[0] - clutter_size + 1, size=2))


def cluttered_mnist(
    digits, labels, num_examples, task="single", canvas_size=100, num_clutter=None, clutter_size=8,
    seed=None, return_boxes=False,
):
    """Cluttered MNIST examples of `task` "single", "pair" or "sum" (thesis 4.4.1).

    Each example draws its digit(s) uniformly from `digits`; two digits are placed so
    that their boxes do not overlap. Clutter: `num_clutter` windows of
    `clutter_size x clutter_size` pixels, each cut at a random position of a random
    digit other than the example's own, pasted at random positions (over the digits
    too).

    Args:
        digits: `(N, h, w)` digit images, N >= 2 (e.g. MNIST, uint8 0..255).
        labels: `(N,)` their classes 0..9.
        num_examples: number of canvases to make.
        task: "single" (label = the digit, 10 classes), "pair" (label =
            `pair_class(d1, d2)`, 55 classes) or "sum" (label = d1 + d2, 19 classes).
        canvas_size: side of the square canvas (default 100).
        num_clutter: number of clutter fragments; default 8 for "single" and "pair" and
            0 (empty background) for "sum".
        clutter_size: side of the fragments (default 8).
        seed: seed of `numpy.random.default_rng`.
        return_boxes: also return where the digits are (the draws, and so the canvases,
            are the same either way).

    Returns:
        `(images, labels)`: `(num_examples, canvas_size, canvas_size, 1)` of the digits'
        dtype and int64 `(num_examples,)`; with `return_boxes`, also the digits' boxes,
        float32 `(num_examples, digits per canvas, 4)` as `[ymin, xmin, ymax, xmax]` of
        their first and last pixels divided by `canvas_size - 1` (the convention of
        `tfrnnx.layers.DrawGlimpse.boxes`).
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}. Received: task={task!r}")
    num_examples = check_integer("num_examples", num_examples, 0)
    canvas_size = check_integer("canvas_size", canvas_size, 1)
    num_clutter = DEFAULT_NUM_CLUTTER[task] if num_clutter is None else num_clutter
    num_clutter = check_integer("num_clutter", num_clutter, 0)
    digits, labels = _check_digits(digits, labels)
    if max(digits.shape[1:]) > canvas_size:
        raise ValueError(
            f"canvas_size must hold a {digits.shape[1]}x{digits.shape[2]} digit. "
            f"Received: canvas_size={canvas_size}"
        )
    clutter_size = check_integer("clutter_size", clutter_size, 1)
    if clutter_size > min(digits.shape[1:]):
        raise ValueError(
            f"clutter_size must be at most the digits' size {digits.shape[1:]}. "
            f"Received: clutter_size={clutter_size}"
        )
    count = 1 if task == "single" else 2
    if num_clutter and len(digits) <= count:
        raise ValueError(
            f"Clutter is cut from digits other than the example's: task={task!r} with "
            f"num_clutter={num_clutter} needs more than {count} digits. "
            f"Received: digits.shape={digits.shape}"
        )
    rng = np.random.default_rng(seed)
    height, width = digits.shape[1:]
    images = np.zeros((num_examples, canvas_size, canvas_size, 1), digits.dtype)
    targets = np.zeros(num_examples, np.int64)
    corners = np.zeros((num_examples, count, 2), np.float32)
    for n in range(num_examples):
        chosen = rng.integers(0, len(digits), size=count)
        canvas = images[n, :, :, 0]
        _add_clutter(rng, canvas, digits, chosen, num_clutter, clutter_size)
        for k, (index, corner) in enumerate(
            zip(chosen, _place_apart(rng, count, height, width, canvas_size))
        ):
            _paste(canvas, digits[index], *corner)
            corners[n, k] = corner
        classes = labels[chosen]
        if task == "single":
            targets[n] = classes[0]
        elif task == "pair":
            targets[n] = pair_class(*classes)
        else:
            targets[n] = classes.sum()
    if return_boxes:
        scale = max(canvas_size - 1, 1)
        ends = corners + np.array([height - 1, width - 1], np.float32)
        return images, targets, np.concatenate([corners, ends], axis=-1) / scale
    return images, targets


def _area_weights(source, target):
    """(target, source) matrix averaging the source pixels each target pixel covers."""
    scale = source / target
    starts = np.arange(target)[:, None] * scale
    pixels = np.arange(source)[None, :]
    overlap = np.minimum(pixels + 1, starts + scale) - np.maximum(pixels, starts)
    return np.clip(overlap, 0, None) / scale


def _resize(image, height, width):
    """Area (box-filter) resize of a 2-D image, rounded back to integers if need be."""
    rows, columns = _area_weights(image.shape[0], height), _area_weights(image.shape[1], width)
    resized = rows @ image @ columns.T
    if np.issubdtype(image.dtype, np.integer):
        resized = np.rint(resized)
    return resized.astype(image.dtype)


def multi_digit_mnist(digits, labels, num_examples, max_digits=5, canvas_size=64, seed=None):
    """Rows of 1..`max_digits` MNIST digits on a canvas, a stand-in for SVHN numbers.

    Each example draws its length L uniformly from 1..max_digits and L digits from
    `digits`, resizes them (area filter) to squares of side `min(h, canvas_size // L)`
    (h: the digits' height) so that the row fits, and places the row, digits side by
    side, at a random position.

    Args:
        digits: `(N, h, w)` digit images, N >= 2.
        labels: `(N,)` their classes 0..9.
        num_examples: number of canvases to make.
        max_digits: longest sequence (default 5).
        canvas_size: side of the square canvas (default 64).
        seed: seed of `numpy.random.default_rng`.

    Returns:
        `(images, labels)`: `(num_examples, canvas_size, canvas_size, 1)` of the digits'
        dtype, and int64 `(num_examples, max_digits + 1)`: the digits from left to
        right, then `TERMINAL_CLASS` (10) up to the end (at least once).
    """
    num_examples = check_integer("num_examples", num_examples, 0)
    max_digits = check_integer("max_digits", max_digits, 1)
    canvas_size = check_integer("canvas_size", canvas_size, max_digits)
    digits, labels = _check_digits(digits, labels)
    rng = np.random.default_rng(seed)
    images = np.zeros((num_examples, canvas_size, canvas_size, 1), digits.dtype)
    targets = np.full((num_examples, max_digits + 1), TERMINAL_CLASS, np.int64)
    for n in range(num_examples):
        length = int(rng.integers(1, max_digits + 1))
        chosen = rng.integers(0, len(digits), size=length)
        size = min(digits.shape[1], canvas_size // length)
        top = rng.integers(0, canvas_size - size + 1)
        left = rng.integers(0, canvas_size - length * size + 1)
        for k, index in enumerate(chosen):
            _paste(images[n, :, :, 0], _resize(digits[index], size, size), top, left + k * size)
        targets[n, :length] = labels[chosen]
    return images, targets
