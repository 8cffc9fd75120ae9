"""GlimpseSummary: TensorBoard images of where a recurrent attention model looks."""


import keras
import numpy as np
import tensorflow as tf

from tfrnnx._validation import check_integer

# One colour per step (RGBA in [0, 1]), cycled when there are more steps.
_COLOURS = np.array(
    [[1, 0, 0, 1], [0, 1, 0, 1], [0, 0.5, 1, 1], [1, 1, 0, 1], [1, 0, 1, 1], [0, 1, 1, 1]],
    "float32",
)


def draw_glimpse_boxes(images, boxes):
    """RGB images in [0, 1], `(n, H, W, 3)`, with `boxes` `(n, steps, 4)` drawn on them.

    Each image is scaled to [0, 1] by its own maximum; grey images become RGB. Boxes are
    clipped to the image; step t is drawn in colour `t mod 6` (red, green, blue, ...).
    """
    images = tf.convert_to_tensor(images, tf.float32)
    if images.shape[-1] == 1:
        images = tf.image.grayscale_to_rgb(images)
    elif images.shape[-1] != 3:
        images = tf.image.grayscale_to_rgb(tf.reduce_mean(images, axis=-1, keepdims=True))
    peak = tf.reduce_max(images, axis=[1, 2, 3], keepdims=True)
    images = images / tf.maximum(peak, 1e-12)
    boxes = tf.clip_by_value(tf.convert_to_tensor(boxes, tf.float32), 0.0, 1.0)
    steps = boxes.shape[1]
    colours = _COLOURS[np.arange(steps) % len(_COLOURS)]
    return tf.image.draw_bounding_boxes(images, boxes, colours)


class GlimpseSummary(keras.callbacks.Callback):
    """Writes the glimpse boxes of every step on a few sample images to TensorBoard.

    At the end of every `every_n_epochs`-th epoch the model's `trace(images)` (e.g.
    `tfrnnx.models.RecurrentAttentionModel.trace`) gives the per-step boxes `(n, steps,
    4)`; the callback writes, with `tf.summary.image` under `logdir`:

    - `"{name}/step_{t}"`: the sample images with step t's box (one tag per step);
    - `"{name}/all_steps"`: the sample images with every step's box, step t in colour
      `t mod 6` (red, green, blue, yellow, magenta, cyan).

    Args:
        logdir: directory of the summary files (`tensorboard --logdir logdir`).
        images: sample images `(n, H, W, C)` for the model.
        max_images: how many of them to draw (default 3).
        every_n_epochs: write every that many epochs (default 1).
        name: tag prefix (default "glimpses").

    Example:

    >>> import numpy as np, tempfile, tfrnnx
    >>> model = tfrnnx.models.RecurrentAttentionModel(
    ...     2, num_glimpses=2, glimpse_shape=(4, 4), units=8, glimpse_units=8,
    ...     classifier_units=8, context_network=False, seed=0)
    >>> model.compile("adam")
    >>> images = np.random.default_rng(0).random((4, 16, 16, 1), "float32")
    >>> callback = tfrnnx.callbacks.GlimpseSummary(tempfile.mkdtemp(), images[:2])
    >>> history = model.fit(images, np.array([0, 1, 0, 1]), epochs=1, verbose=0,
    ...                     callbacks=[callback])
    """

    def __init__(self, logdir, images, max_images=3, every_n_epochs=1, name="glimpses"):
        super().__init__()
        images = np.asarray(images)
        if images.ndim != 4 or len(images) == 0:
            raise ValueError(
                "images must be a non-empty batch (n, height, width, channels). "
                f"Received: images.shape={images.shape}"
            )
        for arg, value in (("max_images", max_images), ("every_n_epochs", every_n_epochs)):
            check_integer(arg, value)
        self.logdir = logdir
        self.max_images = int(max_images)
        self.images = images[: self.max_images].astype("float32")
        self.every_n_epochs = int(every_n_epochs)
        self.name = name
        self._writer = None

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.logdir)
        boxes = self.model.trace(self.images, training=False)["boxes"]
        n = len(self.images)
        with self._writer.as_default():
            for step in range(boxes.shape[1]):
                drawn = draw_glimpse_boxes(self.images, boxes[:, step : step + 1])
                tf.summary.image(f"{self.name}/step_{step}", drawn, step=epoch, max_outputs=n)
            drawn = draw_glimpse_boxes(self.images, boxes)
            tf.summary.image(f"{self.name}/all_steps", drawn, step=epoch, max_outputs=n)
        self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
