import numpy as np
import tensorflow as tf

from tfrnnx.data.cluttered_shapes import cluttered_shapes

# Independent reference: the four shapes drawn by hand.
_DRAWN = {
    0: ["#######", "#.....#", "#.....#", "#.....#", "#.....#", "#.....#", "#######"],
    1: ["...#...", "...#...", "...#...", "#######", "...#...", "...#...", "...#..."],
    2: ["#.....#", ".#...#.", "..#.#..", "...#...", "..#.#..", ".#...#.", "#.....#"],
    3: ["...#...", "..#.#..", ".#...#.", "#.....#", ".#...#.", "..#.#..", "...#..."],
}
SHAPES = {k: np.array([[c == "#" for c in row] for row in v]) for k, v in _DRAWN.items()}


def holds(image, shape):
    """Whether every pixel of `shape` is on at some position of `image`."""
    size = image.shape[0]
    return any(
        np.all(image[r : r + 7, c : c + 7][shape] == 1)
        for r in range(size - 6)
        for c in range(size - 6)
    )


class ClutteredShapesTest(tf.test.TestCase):
    def test_each_image_holds_its_shape_and_only_clutter_besides(self):
        images, labels = cluttered_shapes(40, canvas_size=24, num_clutter=4, seed=1)
        self.assertEqual(images.shape, (40, 24, 24, 1))
        self.assertEqual(set(np.unique(images)), {0.0, 1.0})
        for image, label in zip(images[..., 0], labels):
            self.assertTrue(holds(image, SHAPES[int(label)]))
            # The shape's pixels plus at most 4 segments of 3 pixels.
            self.assertLessEqual(image.sum(), SHAPES[int(label)].sum() + 4 * 3)
        self.assertEqual(set(labels.tolist()), {0, 1, 2, 3})

    def test_without_clutter_only_the_shape_is_drawn(self):
        images, labels = cluttered_shapes(20, canvas_size=16, num_clutter=0, seed=2)
        expected = [SHAPES[int(label)].sum() for label in labels]
        self.assertAllEqual(images.sum(axis=(1, 2, 3)), expected)

    def test_seeded_and_bad_arguments(self):
        self.assertAllEqual(cluttered_shapes(3, seed=5)[0], cluttered_shapes(3, seed=5)[0])
        with self.assertRaisesRegex(ValueError, "canvas_size must be an integer >= 7. "
                                    "Received: canvas_size=5"):
            cluttered_shapes(3, canvas_size=5)
