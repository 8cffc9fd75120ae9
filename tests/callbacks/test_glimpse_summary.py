"""GlimpseSummary writes one image summary per step (and one with all steps) to TensorBoard."""

import tempfile

import keras
import numpy as np
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator

import tfrnnx


class GlimpseSummaryTest(tf.test.TestCase):
    def test_writes_glimpse_images_at_epoch_end(self):
        model = tfrnnx.models.RecurrentAttentionModel(
            2, num_glimpses=2, glimpse_shape=(4, 4), units=8, glimpse_units=8,
            classifier_units=8, context_network=False, seed=0,
        )
        model.compile(keras.optimizers.Adam(0.01))
        x = np.random.default_rng(0).random((4, 16, 16, 1), "float32")
        logdir = tempfile.mkdtemp()
        callback = tfrnnx.callbacks.GlimpseSummary(logdir, x, max_images=2)
        model.fit(x, np.array([0, 1, 0, 1]), epochs=2, verbose=0, callbacks=[callback])
        events = event_accumulator.EventAccumulator(logdir, size_guidance={"tensors": 0})
        events.Reload()
        tags = events.Tags()["tensors"]
        self.assertEqual(sorted(tags), ["glimpses/all_steps", "glimpses/step_0", "glimpses/step_1"])
        written = events.Tensors("glimpses/step_1")
        self.assertEqual([event.step for event in written], [0, 1])
        # An image summary is [width, height, png, png]: two encoded 16x16 RGB images.
        content = tf.make_ndarray(written[-1].tensor_proto)
        self.assertEqual(list(content[:2]), [b"16", b"16"])
        self.assertEqual(len(content), 4)
        self.assertEqual(tuple(tf.io.decode_png(content[2]).shape), (16, 16, 3))

    def test_box_pixels_are_drawn(self):
        image = np.zeros((1, 16, 16, 1), "float32")
        drawn = tfrnnx.callbacks.glimpse_summary.draw_glimpse_boxes(
            image, np.array([[[0.25, 0.25, 0.75, 0.75]]], "float32")
        ).numpy()
        self.assertEqual(drawn.shape, (1, 16, 16, 3))
        self.assertGreater(drawn[0, :, :, 0].sum(), 0)  # red box on a black image
        self.assertEqual(drawn[0, 0, 0].tolist(), [0, 0, 0])

    def test_errors(self):
        with self.assertRaisesRegex(ValueError, "max_images=0"):
            tfrnnx.callbacks.GlimpseSummary("/tmp", np.zeros((2, 8, 8, 1)), max_images=0)
        with self.assertRaisesRegex(ValueError, "images.shape"):
            tfrnnx.callbacks.GlimpseSummary("/tmp", np.zeros((8, 8)))
