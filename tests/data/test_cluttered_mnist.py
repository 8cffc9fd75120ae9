import doctest
import gzip
import importlib
import os
import tempfile
import unittest
from unittest import mock

import numpy as np
from absl.testing import parameterized

import tfrnnx
from data_dir import real_data_dir
from tfrnnx.data import mnist

cluttered_module = importlib.import_module("tfrnnx.data.cluttered_mnist")

NUM_DIGITS, SIDE = 20, 10


def block_digits():
    """Digit i is a SIDE x SIDE block of the value 10 + 12 i (label i % 10), so every
    pixel of a canvas tells which digit it came from."""
    values = 10 + 12 * np.arange(NUM_DIGITS)
    digits = np.broadcast_to(values[:, None, None], (NUM_DIGITS, SIDE, SIDE)).astype(np.uint8)
    return digits, np.arange(NUM_DIGITS) % 10


def digit_index(value):
    return (int(value) - 10) // 12


def blocks_of(canvas):
    """{value: (rows, cols)} of the pixels of each value in a 2-D canvas."""
    return {v: np.nonzero(canvas == v) for v in np.unique(canvas) if v}


def write_idx(path, array, type_code=0x08):
    header = bytes([0, 0, type_code, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(header + array.astype(array.dtype.newbyteorder(">")).tobytes())


class IdxTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        rng = np.random.default_rng(0)
        self.images = rng.integers(0, 256, (7, 28, 28)).astype(np.uint8)
        self.labels = rng.integers(0, 10, 7).astype(np.uint8)
        os.mkdir(os.path.join(self.tmp.name, "mnist"))
        for prefix in ("train", "t10k"):
            base = os.path.join(self.tmp.name, "mnist", prefix)
            write_idx(f"{base}-images-idx3-ubyte.gz", self.images)
            write_idx(f"{base}-labels-idx1-ubyte.gz", self.labels)

    def test_load_mnist_reads_images_and_labels(self):
        for split in ("train", "test"):
            images, labels = tfrnnx.data.load_mnist(split, data_dir=self.tmp.name)
            np.testing.assert_array_equal(images, self.images)
            np.testing.assert_array_equal(labels, self.labels)
            self.assertEqual(images.dtype, np.uint8)

    def test_data_dir_defaults_to_the_environment(self):
        with mock.patch.dict(os.environ, {"TFRNNX_DATA_DIR": self.tmp.name}):
            images, _ = tfrnnx.data.load_mnist("test")
        np.testing.assert_array_equal(images, self.images)
        with mock.patch.dict(os.environ, {"TFRNNX_DATA_DIR": ""}):
            with self.assertRaisesRegex(FileNotFoundError, "TFRNNX_DATA_DIR"):
                tfrnnx.data.load_mnist()

    def test_missing_files_name_the_path(self):
        missing = os.path.join(self.tmp.name, "nowhere")
        expected = os.path.join(missing, "mnist", "train-images-idx3-ubyte.gz")
        with self.assertRaisesRegex(FileNotFoundError, expected):
            tfrnnx.data.load_mnist(data_dir=missing)
        with self.assertRaisesRegex(ValueError, "Received: split='valid'"):
            tfrnnx.data.load_mnist("valid", data_dir=self.tmp.name)

    def test_other_types_uncompressed_and_header_only(self):
        array = np.arange(24, dtype=np.int32).reshape(2, 3, 4) - 5
        path = os.path.join(self.tmp.name, "ints.idx")
        write_idx(path, array, type_code=0x0C)
        read = tfrnnx.data.read_idx(path)
        np.testing.assert_array_equal(read, array)
        self.assertEqual(read.dtype, np.dtype("int32"))
        self.assertEqual(mnist.read_idx_header(path), (np.dtype(">i4"), (2, 3, 4)))

    def test_bad_files_raise_with_the_path(self):
        path = os.path.join(self.tmp.name, "bad.idx")
        with open(path, "wb") as f:
            f.write(b"\x01\x02\x08\x01" + bytes(8))
        with self.assertRaisesRegex(ValueError, "bad.idx is not an IDX file"):
            tfrnnx.data.read_idx(path)
        write_idx(path, np.zeros((4, 5), np.uint8))
        with open(path, "ab") as f:
            f.write(b"\x00")
        with self.assertRaisesRegex(ValueError, r"bad.idx: the header announces shape \(4, 5\)"):
            tfrnnx.data.read_idx(path)

    def test_mnist_headers_and_counts_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("mnist"))
        for split, count in (("train", 60000), ("test", 10000)):
            images_path, labels_path = mnist.mnist_paths(split, data_dir)
            self.assertEqual(mnist.read_idx_header(images_path), (np.uint8, (count, 28, 28)))
            self.assertEqual(mnist.read_idx_header(labels_path), (np.uint8, (count,)))
        images, labels = tfrnnx.data.load_mnist("test", data_dir)
        self.assertEqual(images.shape, (10000, 28, 28))
        self.assertEqual(np.bincount(labels).tolist()[:3], [980, 1135, 1032])
        self.assertEqual(int(images.max()), 255)


class ClutteredMnistTest(parameterized.TestCase):
    def test_single_digit_without_clutter_is_one_intact_block(self):
        digits, labels = block_digits()
        images, targets = tfrnnx.data.cluttered_mnist(
            digits, labels, 30, canvas_size=32, num_clutter=0, seed=0
        )
        self.assertEqual(images.shape, (30, 32, 32, 1))
        self.assertEqual(images.dtype, np.uint8)
        self.assertEqual(targets.dtype, np.int64)
        corners = set()
        for image, target in zip(images[..., 0], targets):
            (value, (rows, cols)), = blocks_of(image).items()
            self.assertEqual(len(rows), SIDE * SIDE)
            self.assertEqual(np.ptp(rows) + 1, SIDE)
            self.assertEqual(target, labels[digit_index(value)])
            corners.add((rows.min(), cols.min()))
        self.assertGreater(len(corners), 20)

    @parameterized.parameters("single", "pair")
    def test_boxes_are_where_the_digits_are_and_change_nothing_else(self, task):
        digits, labels = block_digits()
        plain = tfrnnx.data.cluttered_mnist(digits, labels, 20, task=task, canvas_size=33,
                                            num_clutter=0, seed=4)  # fmt: skip
        images, targets, boxes = tfrnnx.data.cluttered_mnist(
            digits, labels, 20, task=task, canvas_size=33, num_clutter=0, seed=4, return_boxes=True
        )
        np.testing.assert_array_equal(images, plain[0])
        np.testing.assert_array_equal(targets, plain[1])
        self.assertEqual(boxes.shape, (20, 1 if task == "single" else 2, 4))
        for image, image_boxes in zip(images[..., 0], boxes):
            covered = np.zeros(image.shape, bool)
            for box in image_boxes:
                # First and last pixels times canvas_size - 1: a SIDE x SIDE block of one digit.
                top, left, bottom, right = np.rint(box * 32).astype(int)
                self.assertEqual((bottom - top + 1, right - left + 1), (SIDE, SIDE))
                block = image[top : bottom + 1, left : right + 1]
                self.assertEqual(len(np.unique(block)), 1)
                self.assertGreater(block[0, 0], 0)
                covered[top : bottom + 1, left : right + 1] = True
            self.assertTrue(np.all(image[~covered] == 0))  # no digit pixel outside the boxes

    def test_clutter_comes_from_other_digits_in_fragments(self):
        digits, labels = block_digits()
        images, targets = tfrnnx.data.cluttered_mnist(
            digits, labels, 40, canvas_size=40, num_clutter=3, clutter_size=4, seed=1
        )
        for image, target in zip(images[..., 0], targets):
            # The example's digit is the value with a full SIDE x SIDE bounding box that
            # clutter (from other digits) can only cover partly, never extend.
            blocks = blocks_of(image)
            own = [v for v, (r, c) in blocks.items() if np.ptp(r) + 1 == SIDE == np.ptp(c) + 1]
            self.assertLen(own, 1)
            self.assertEqual(target, labels[digit_index(own[0])])
            clutter = {v: len(r) for v, (r, _) in blocks.items() if v != own[0]}
            self.assertLessEqual(len(clutter), 3)
            self.assertTrue(all(count <= 3 * 16 for count in clutter.values()))
            self.assertTrue(clutter)

    def test_default_clutter_is_eight_fragments_of_eight_pixels(self):
        rng = np.random.default_rng(0)
        digits = rng.integers(1, 256, (5, 28, 28)).astype(np.uint8)  # no empty pixel
        images, _ = tfrnnx.data.cluttered_mnist(digits, np.arange(5), 3, seed=2)
        self.assertEqual(images.shape, (3, 100, 100, 1))
        for image in images[..., 0]:
            # One 28x28 digit and at most 8 8x8 fragments cover the nonzero pixels.
            self.assertGreater(np.count_nonzero(image), 28 * 28)
            self.assertLessEqual(np.count_nonzero(image), 28 * 28 + 8 * 64)

    @parameterized.parameters("pair", "sum")
    def test_two_digits_apart_and_their_class(self, task):
        digits, labels = block_digits()
        images, targets = tfrnnx.data.cluttered_mnist(
            digits, labels, 40, task=task, canvas_size=30, num_clutter=0, seed=3
        )
        for image, target in zip(images[..., 0], targets):
            blocks = blocks_of(image)
            pixels = sum(len(r) for r, _ in blocks.values())
            self.assertEqual(pixels, 2 * SIDE * SIDE)  # two blocks, not overlapping
            values = list(blocks)
            if len(values) == 1:  # the same digit drawn twice
                values = values * 2
            first, second = (labels[digit_index(v)] for v in values)
            expected = first + second if task == "sum" else tfrnnx.data.pair_class(first, second)
            self.assertEqual(target, expected)

    def test_tight_canvas_restarts_a_placement_with_no_room_left(self):
        # On 80x80, a first 28x28 digit near the middle leaves no room for a second one;
        # the placement must start over rather than fail.
        rng = np.random.default_rng(0)
        digits = rng.integers(1, 256, (5, 28, 28)).astype(np.uint8)  # no empty pixel
        images, _ = tfrnnx.data.cluttered_mnist(
            digits, np.arange(5), 200, task="sum", canvas_size=80, seed=0
        )
        self.assertTrue(np.all(np.count_nonzero(images, axis=(1, 2, 3)) == 2 * 28 * 28))

    def test_sum_has_an_empty_background_and_pair_has_clutter_by_default(self):
        digits, labels = block_digits()
        images, targets = tfrnnx.data.cluttered_mnist(digits, labels, 10, task="sum", seed=4)
        self.assertTrue(np.all(np.count_nonzero(images, axis=(1, 2, 3)) == 2 * SIDE * SIDE))
        self.assertTrue(np.all((0 <= targets) & (targets <= 18)))
        images, targets = tfrnnx.data.cluttered_mnist(digits, labels, 10, task="pair", seed=4)
        self.assertTrue(np.all(np.count_nonzero(images, axis=(1, 2, 3)) > 2 * SIDE * SIDE))
        self.assertTrue(np.all((0 <= targets) & (targets < 55)))

    def test_pair_classes_are_the_55_unordered_pairs(self):
        classes = {(a, b): tfrnnx.data.pair_class(a, b) for a in range(10) for b in range(10)}
        self.assertEqual(sorted(set(classes.values())), list(range(55)))
        for (a, b), c in classes.items():
            self.assertEqual(c, classes[b, a])
            self.assertEqual(tfrnnx.data.PAIR_CLASSES[c], (min(a, b), max(a, b)))
        self.assertEqual((classes[0, 0], classes[0, 9], classes[1, 1], classes[9, 9]), (0, 9, 10, 54))
        with self.assertRaisesRegex(ValueError, "0..9"):
            tfrnnx.data.pair_class(3, 10)

    @parameterized.parameters("single", "pair", "sum")
    def test_same_seed_same_data(self, task):
        digits, labels = block_digits()
        make = lambda seed: tfrnnx.data.cluttered_mnist(
            digits, labels, 5, task=task, canvas_size=40, clutter_size=4, seed=seed
        )
        a, b, c = make(7), make(7), make(8)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
        self.assertFalse(np.array_equal(a[0], c[0]))

    @parameterized.parameters(
        (dict(task="triple"), "Received: task='triple'"),
        (dict(canvas_size=8), "Received: canvas_size=8"),
        (dict(num_clutter=-1), "Received: num_clutter=-1"),
        (dict(clutter_size=11), "Received: clutter_size=11"),
        (dict(num_examples=1.5), "Received: num_examples=1.5"),
        (dict(labels=np.arange(19)), r"Received: labels.shape=\(19,\)"),
        (dict(digits=np.zeros((20, 10))), r"Received: digits.shape=\(20, 10\)"),
        (dict(task="pair", canvas_size=15), "too small to place 2 10x10 digits"),
    )
    def test_bad_arguments(self, kwargs, message):
        digits, labels = block_digits()
        arguments = dict(digits=digits, labels=labels, num_examples=2, clutter_size=4, seed=0)
        arguments.update(kwargs)
        with self.assertRaisesRegex(ValueError, message):
            tfrnnx.data.cluttered_mnist(**arguments)

    def test_clutter_needs_other_digits(self):
        digits, labels = block_digits()
        with self.assertRaisesRegex(ValueError, "needs more than 2 digits"):
            tfrnnx.data.cluttered_mnist(digits[:2], labels[:2], 1, task="pair", clutter_size=4)

    def test_docstring_example(self):
        result = doctest.testmod(cluttered_module, extraglobs={"tfrnnx": tfrnnx})
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)


class MultiDigitMnistTest(unittest.TestCase):
    def test_rows_of_digits_left_to_right_and_terminal_padding(self):
        digits, labels = block_digits()
        images, targets = tfrnnx.data.multi_digit_mnist(
            digits, labels, 60, max_digits=4, canvas_size=24, seed=0
        )
        self.assertEqual(images.shape, (60, 24, 24, 1))
        self.assertEqual(targets.shape, (60, 5))
        lengths = []
        for image, target in zip(images[..., 0], targets):
            length = int(np.argmax(target == tfrnnx.data.TERMINAL_CLASS))
            self.assertTrue(np.all(target[length:] == tfrnnx.data.TERMINAL_CLASS))
            self.assertTrue(np.all(target[:length] < 10))
            size = min(SIDE, 24 // length)
            rows, cols = np.nonzero(image)
            self.assertEqual((np.ptp(rows) + 1, np.ptp(cols) + 1), (size, length * size))
            # Area resizing keeps each constant block constant: read the row's digits.
            row = image[rows.min(), cols.min() : cols.min() + length * size]
            read = [labels[digit_index(v)] for v in row[::size]]
            self.assertEqual(read, target[:length].tolist())
            lengths.append(length)
        self.assertEqual(sorted(set(lengths)), [1, 2, 3, 4])

    def test_area_resize_keeps_the_mean_intensity(self):
        image = np.random.default_rng(0).random((28, 28))
        for size in (28, 12, 7, 40):
            resized = cluttered_module._resize(image, size, size)
            self.assertEqual(resized.shape, (size, size))
            self.assertAlmostEqual(resized.mean(), image.mean(), places=10)
        np.testing.assert_array_equal(cluttered_module._resize(image, 28, 28), image)
        np.testing.assert_allclose(
            cluttered_module._resize(image, 14, 14), image.reshape(14, 2, 14, 2).mean((1, 3))
        )

    def test_same_seed_same_data_and_bad_arguments(self):
        digits, labels = block_digits()
        a = tfrnnx.data.multi_digit_mnist(digits, labels, 4, seed=5)
        b = tfrnnx.data.multi_digit_mnist(digits, labels, 4, seed=5)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
        self.assertEqual(a[0].shape, (4, 64, 64, 1))
        with self.assertRaisesRegex(ValueError, "Received: max_digits=0"):
            tfrnnx.data.multi_digit_mnist(digits, labels, 4, max_digits=0)
        with self.assertRaisesRegex(ValueError, "Received: canvas_size=4"):
            tfrnnx.data.multi_digit_mnist(digits, labels, 4, max_digits=5, canvas_size=4)
