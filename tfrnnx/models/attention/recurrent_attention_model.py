"""RecurrentAttentionModel: the deep recurrent attention model of thesis section 4.3."""

import keras
import tensorflow as tf
from keras import ops

from tfrnnx._validation import check_bool
from tfrnnx._validation import check_choice
from tfrnnx._validation import check_integer
from tfrnnx._validation import check_number
from tfrnnx._validation import check_rate
from tfrnnx._validation import check_seed
from tfrnnx._validation import derived_seed
from tfrnnx._validation import is_integer
from tfrnnx.layers import DrawGlimpse
from tfrnnx.models._serving import write_saved_model
from tfrnnx.layers import RecurrentDropoutGRUCell

GLIMPSE_NETWORKS = ("mlp", "cnn")
CURRICULUM_PHASES = ("simple", "full")
LOSS_STEPS = ("last", "all")
READING_ORDERS = ("left_to_right", "right_to_left")


def _checked_glimpse_network(glimpse_network):
    """A Keras layer (deserialized from its config if need be) or one of GLIMPSE_NETWORKS."""
    if isinstance(glimpse_network, dict):
        glimpse_network = keras.saving.deserialize_keras_object(glimpse_network)
    if not isinstance(glimpse_network, keras.layers.Layer):
        check_choice("glimpse_network", glimpse_network, GLIMPSE_NETWORKS)
    return glimpse_network


def _dense(units, seed, offset, activation=None, name=None):
    return keras.layers.Dense(
        units,
        activation=activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=derived_seed(seed, offset)),
        name=name,
    )


def _conv(filters, size, seed, offset, strides=1):
    return keras.layers.Conv2D(
        filters, size, strides=strides, padding="same", activation="relu",
        kernel_initializer=keras.initializers.GlorotUniform(seed=derived_seed(seed, offset)),
    )


def _glimpse_network(kind, units, seed, name):
    """The built-in glimpse networks: (batch, Ny, Nx, C) -> (batch, units)."""
    if kind == "simple":
        layers = [keras.layers.Flatten(), _dense(units, seed, 10, "relu")]
    elif kind == "mlp":
        layers = [
            keras.layers.Flatten(),
            _dense(units, seed, 11, "relu"),
            _dense(units, seed, 12, "relu"),
        ]
    else:  # "cnn"
        layers = [
            _conv(32, 3, seed, 13),
            _conv(64, 3, seed, 14, strides=2),
            keras.layers.Flatten(),
            _dense(units, seed, 15, "relu"),
        ]
    return keras.Sequential(layers, name=name)


def _sequence_lengths(classes, terminal_class):
    """Position of the first `terminal_class` in each row of `classes` (batch, n), else n."""
    is_terminal = ops.equal(ops.cast(classes, "int32"), terminal_class)
    first = ops.argmax(ops.cast(is_terminal, "int32"), axis=1)
    return ops.where(ops.any(is_terminal, axis=1), first, classes.shape[1])


def _reverse_prefix(x, lengths):
    """Reverses the first `lengths[b]` entries of each row b of `x` (batch, n, ...)."""
    positions = ops.arange(x.shape[1])[None, :]
    lengths = ops.cast(lengths, positions.dtype)[:, None]
    index = ops.where(positions < lengths, lengths - 1 - positions, positions)
    if len(x.shape) == 3:
        index = ops.broadcast_to(index[:, :, None], ops.shape(x))
    return ops.take_along_axis(x, index, axis=1)


@keras.saving.register_keras_serializable(package="tfrnnx")
class RecurrentAttentionModel(keras.Model):
    """Deep recurrent attention model with DRAW glimpses (thesis section 4.3).

    For steps t = 1 .. `num_glimpses`, computed top-down (eqs. 4.3.1-4.3.4):

    - attention GRU: `h2(t) = GRU2([h1(t-1), context], h2(t-1))`, where `context` is a
      small CNN's code of the image average-pooled by `context_downsample` (left out
      with `context_network=False`);
    - glimpse parameters: `p(t) = W h2(t) + b`, the six parameters of
      `tfrnnx.layers.DrawGlimpse`. With `relative_shifts=True` the first two are a
      shift `dc(t)` added to the previous centre, `c(t) = c(t-1) + dc(t)`, `c(0) = 0`
      (the image centre), in DrawGlimpse's unconstrained coordinates (before `tanh`,
      so every centre stays on the image);
    - glimpse features: `g(t) = G(DrawGlimpse(image, p(t)))` with glimpse network `G`,
      then dropout `glimpse_dropout`;
    - aggregating GRU: `h1(t) = GRU1(g(t), h1(t-1))`;
    - classification: `y(t) = softmax(C(h1(t)))` with `C` = Dense(`classifier_units`,
      relu) -> Dense(`num_classes`), the same at every step.

    Both GRUs are `tfrnnx.layers.RecurrentDropoutGRUCell`s with Semeniuta recurrent
    dropout `recurrent_dropout` (new mask per step). Training (`fit`) uses the model's
    own loss, so compile it without one: the cross-entropy of the last step
    (`loss_steps="last"`) or the mean over all steps (`"all"`), plus the RBF shift
    regulariser of eq. 4.4.1, `R = a * sum_{t in S} mean_batch exp(-(dcx(t)^2 +
    dcy(t)^2) / b)` with `a = shift_regularizer_weight`, `b = shift_regularizer_scale`
    and `dc(t) = c(t) - c(t-1)` for the steps S = `shift_regularizer_steps` (0-based;
    default every step). It pushes consecutive glimpses apart.

    Attention noise `attention_noise = alpha` is DrawGlimpse's location and stride noise
    in training (thesis 4.4.2); with `test_time_samples = n > 1` it is also drawn at
    inference and the class probabilities are averaged over n noisy runs.

    Curriculum (thesis 4.4): with `curriculum_phase="simple"` the glimpses go through a
    one-layer network (Flatten -> Dense(`glimpse_units`, relu)) instead of
    `glimpse_network`; `set_curriculum_phase("full")` then switches to the full network
    and resets the compiled functions, so `fit` can simply be called again. Both glimpse
    networks are built from the start, so the optimizer and saved files see all weights;
    in the full phase the simple network is frozen (`trainable=False`); in the simple
    phase Keras warns once that the full network's weights get no gradients.

    Sequence reading (thesis 4.4.3): with `glimpses_per_object = k` the model reads
    `num_glimpses / k` objects, k glimpses each, and outputs after each object's last
    glimpse; the last class (`num_classes - 1`) is the terminal class that pads the
    label sequences (`tfrnnx.data.multi_digit_mnist`). `fit` takes labels `(batch,
    objects)` in left-to-right order; `loss_steps="last"` is the mean cross-entropy of
    the objects' outputs, `"all"` gives every glimpse of an object that object's label.
    `reading_order="right_to_left"` reads the sequence backwards: it is trained on the
    labels with their non-terminal prefix reversed, and `call` returns its outputs
    turned back into left-to-right order (by its predicted length), so that
    `combine_readers(forward, backward)` can apply the thesis' rule to two readers.

    Args:
        num_classes: number of classes, >= 2.
        num_glimpses: number of steps, >= 1.
        glimpse_shape: `(Ny, Nx)` of the glimpses.
        units: size of both GRU states.
        glimpse_network: "mlp" (Flatten -> 2 x Dense(`glimpse_units`, relu)), "cnn" (two
            3x3 convolutions, the second with stride 2, -> Dense(`glimpse_units`, relu)),
            or a Keras layer mapping `(batch, Ny, Nx, C)` to `(batch, glimpse_units)`.
        glimpse_units: width of the glimpse features.
        classifier_units: hidden width of the classification network.
        context_network: whether layer 2 also reads the context CNN's code.
        context_downsample: integer average-pooling factor before the context CNN.
        relative_shifts: whether the centres are relative shifts (see above).
        shift_regularizer_weight: `a` >= 0 (0: no regulariser).
        shift_regularizer_scale: `b` > 0.
        shift_regularizer_steps: 0-based steps the regulariser covers, or None for all.
        attention_noise: DrawGlimpse's `noise` in [0, 1).
        max_glimpse_extent: DrawGlimpse's `max_extent`: None, or the largest fraction of the
            image a glimpse may span (the thesis' upper limit on the attention region,
            §4.4.1, used for two digits).
        max_glimpse_extent_from_step: first 0-based step the limit applies to; earlier
            steps may span the whole image (e.g. 1: the first glimpse overviews the
            canvas, the later ones zoom in).
        test_time_samples: noisy runs averaged at inference (> 1 needs attention_noise).
        glimpse_dropout: dropout rate in [0, 1) on the glimpse features.
        recurrent_dropout: recurrent dropout rate in [0, 1) of both GRUs.
        loss_steps: "last" or "all" (see above).
        curriculum_phase: "simple" or "full" (see above).
        glimpses_per_object: None, or glimpses per object in sequence reading.
        reading_order: "left_to_right" or "right_to_left" (sequence reading).
        seed: integer seed of the initializers, the noise and the dropout masks.
        **kwargs: base `keras.Model` arguments (`name`, ...).

    Call arguments:
        images: float `(batch, H, W, C)` with static H, W, C.
        training: whether noise and dropout are active.

    Returns:
        Class probabilities `(batch, num_classes)` of the last step (averaged over the
        noisy runs); in sequence reading `(batch, objects, num_classes)`.
        `trace(images)` also returns every step's probabilities, glimpse parameters,
        shifts, attention states and glimpse boxes `(batch, steps, 4)`
        (`DrawGlimpse.boxes`); `export_serving(path)` writes a SavedModel whose `serve`
        signature returns the probabilities and the boxes. `transfer_weights_from(model)`
        starts the model from a trained one (digit sums from pairs, or a context model
        from one without context).

    Example:

    >>> import numpy as np, tfrnnx
    >>> model = tfrnnx.models.RecurrentAttentionModel(
    ...     10, num_glimpses=2, glimpse_shape=(6, 6), units=16, glimpse_units=16,
    ...     classifier_units=16, seed=0)
    >>> images = np.random.default_rng(0).random((4, 28, 28, 1), "float32")
    >>> model(images).shape
    TensorShape([4, 10])
    >>> model.trace(images)["boxes"].shape
    TensorShape([4, 2, 4])

    References:
        Ba, Mnih, Kavukcuoglu (2015), "Multiple Object Recognition with Visual
        Attention", ICLR; Gregor et al. (2015), "DRAW", ICML; thesis chapter 4.
    """

    def __init__(
        self, num_classes, num_glimpses=4, glimpse_shape=(12, 12), units=256,
        glimpse_network="mlp", glimpse_units=256, classifier_units=256, context_network=True,
        context_downsample=4, relative_shifts=False, shift_regularizer_weight=0.0,
        shift_regularizer_scale=1.0, shift_regularizer_steps=None, attention_noise=0.0,
        max_glimpse_extent=None, max_glimpse_extent_from_step=0, test_time_samples=1, glimpse_dropout=0.0, recurrent_dropout=0.0,
        loss_steps="last", curriculum_phase="full", glimpses_per_object=None,
        reading_order="left_to_right", seed=None, **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_classes = check_integer("num_classes", num_classes, 2)
        self.num_glimpses = check_integer("num_glimpses", num_glimpses)
        self.units = check_integer("units", units)
        self.glimpse_units = check_integer("glimpse_units", glimpse_units)
        self.classifier_units = check_integer("classifier_units", classifier_units)
        self.context_downsample = check_integer("context_downsample", context_downsample)
        glimpse_network = _checked_glimpse_network(glimpse_network)
        # The string, or None for a custom layer (kept as full_glimpse_network only, so that
        # it is tracked once).
        self._glimpse_network_kind = glimpse_network if isinstance(glimpse_network, str) else None
        self.context_network = check_bool("context_network", context_network)
        self.relative_shifts = check_bool("relative_shifts", relative_shifts)
        self.shift_regularizer_weight = check_number(
            "shift_regularizer_weight", shift_regularizer_weight, low=0
        )
        self.shift_regularizer_scale = check_number(
            "shift_regularizer_scale", shift_regularizer_scale, low=0, include_low=False
        )
        self.shift_regularizer_steps = self._checked_steps(shift_regularizer_steps)
        self.attention_noise = check_rate("attention_noise", attention_noise)
        self.max_glimpse_extent = None if max_glimpse_extent is None else check_number(
            "max_glimpse_extent", max_glimpse_extent, 0, 1, include_low=False
        )
        self.max_glimpse_extent_from_step = check_integer(
            "max_glimpse_extent_from_step", max_glimpse_extent_from_step, minimum=0
        )
        if self.max_glimpse_extent_from_step >= self.num_glimpses:
            raise ValueError(
                f"max_glimpse_extent_from_step must be a step in 0..{self.num_glimpses - 1} "
                f"(num_glimpses={self.num_glimpses}). Received: "
                f"max_glimpse_extent_from_step={max_glimpse_extent_from_step!r}"
            )
        self.test_time_samples = check_integer("test_time_samples", test_time_samples)
        if self.test_time_samples > 1 and self.attention_noise == 0.0:
            raise ValueError(
                "test_time_samples > 1 averages noisy runs and needs attention_noise > 0. "
                f"Received: test_time_samples={test_time_samples!r}, attention_noise=0.0"
            )
        self.glimpse_dropout = check_rate("glimpse_dropout", glimpse_dropout)
        self.recurrent_dropout = check_rate("recurrent_dropout", recurrent_dropout)
        self.loss_steps = check_choice("loss_steps", loss_steps, LOSS_STEPS)
        self.curriculum_phase = check_choice(
            "curriculum_phase", curriculum_phase, CURRICULUM_PHASES
        )
        self.seed = check_seed("seed", seed)
        self.glimpses_per_object = self._checked_glimpses_per_object(glimpses_per_object)
        self.reading_order = check_choice("reading_order", reading_order, READING_ORDERS)
        self._make_layers(glimpse_shape, glimpse_network)

    def _checked_glimpses_per_object(self, glimpses_per_object):
        if glimpses_per_object is None:
            return None
        glimpses_per_object = check_integer("glimpses_per_object", glimpses_per_object)
        if self.num_glimpses % glimpses_per_object:
            raise ValueError(
                "num_glimpses must be a multiple of glimpses_per_object. Received: "
                f"num_glimpses={self.num_glimpses!r}, glimpses_per_object={glimpses_per_object!r}"
            )
        return glimpses_per_object

    def _checked_steps(self, steps):
        """The regularised steps as a sorted list of distinct steps in 0..num_glimpses - 1."""
        if steps is None:
            return None
        if not isinstance(steps, (list, tuple)) or not all(
            is_integer(s) and 0 <= s < self.num_glimpses for s in steps
        ):
            raise ValueError(
                f"shift_regularizer_steps must be None or a list of steps in "
                f"0..{self.num_glimpses - 1} (num_glimpses={self.num_glimpses}). "
                f"Received: shift_regularizer_steps={steps!r}"
            )
        return sorted({int(s) for s in steps})

    def _make_layers(self, glimpse_shape, glimpse_network):
        seed, units = self.seed, self.units
        self.glimpse = DrawGlimpse(
            glimpse_shape, noise=self.attention_noise,
            noise_at_inference=self.test_time_samples > 1, max_extent=self.max_glimpse_extent,
            seed=derived_seed(seed, 0), name="glimpse",
        )
        self.glimpse_shape = self.glimpse.glimpse_shape
        # The steps before max_glimpse_extent_from_step read through an unlimited glimpse.
        self.unlimited_glimpse = None
        if self.max_glimpse_extent is not None and self.max_glimpse_extent_from_step > 0:
            self.unlimited_glimpse = DrawGlimpse(
                glimpse_shape, noise=self.attention_noise,
                noise_at_inference=self.test_time_samples > 1,
                seed=derived_seed(seed, 9), name="unlimited_glimpse",
            )
        if isinstance(glimpse_network, str):
            self.full_glimpse_network = _glimpse_network(
                glimpse_network, self.glimpse_units, seed, "full_glimpse_network"
            )
        else:
            self.full_glimpse_network = glimpse_network
        self.simple_glimpse_network = _glimpse_network(
            "simple", self.glimpse_units, seed, "simple_glimpse_network"
        )
        # In the full phase the simple network is frozen (no gradient-less variables).
        self.simple_glimpse_network.trainable = self.curriculum_phase == "simple"
        self.glimpse_feature_dropout = keras.layers.Dropout(
            self.glimpse_dropout, seed=derived_seed(seed, 1)
        )
        self.context_cnn = None
        if self.context_network:
            self.context_cnn = keras.Sequential(
                [
                    keras.layers.AveragePooling2D(self.context_downsample),
                    _conv(16, 5, seed, 20),
                    keras.layers.MaxPooling2D(2),
                    _conv(32, 3, seed, 21),
                    keras.layers.Flatten(),
                    _dense(units, seed, 22, "relu"),
                ],
                name="context_cnn",
            )
        self.attention_cell = self._gru(2, "gru2")
        self.aggregation_cell = self._gru(5, "gru1")
        # Small initial weights: the first glimpses start near the centre, whole image.
        self.attention_params = keras.layers.Dense(
            6,
            kernel_initializer=keras.initializers.RandomNormal(stddev=0.01, seed=derived_seed(seed, 8)),
            name="attention_params",
        )
        self.classifier = keras.Sequential(
            [_dense(self.classifier_units, seed, 30, "relu"), _dense(self.num_classes, seed, 31)],
            name="classifier",
        )
        # Per-step probabilities of the last call, read by compute_loss (same trace).
        self._step_probabilities = None

    def _gru(self, offset, name):
        seed = self.seed
        return RecurrentDropoutGRUCell(
            self.units,
            recurrent_dropout=self.recurrent_dropout,
            kernel_initializer=keras.initializers.GlorotUniform(derived_seed(seed, offset + 1)),
            recurrent_initializer=keras.initializers.Orthogonal(seed=derived_seed(seed, offset + 2)),
            seed=derived_seed(seed, offset),
            name=name,
        )

    def build(self, input_shape):
        _, height, width, channels = self._check_image_shape(input_shape)
        self._image_shape = (height, width, channels)
        glimpse_input = (None, *self.glimpse_shape, channels)
        for network in (self.simple_glimpse_network, self.full_glimpse_network):
            network.build(glimpse_input)
            features = network.compute_output_shape(glimpse_input)
            if tuple(features)[1:] != (self.glimpse_units,):
                raise ValueError(
                    f"glimpse_network must map {glimpse_input} to (batch, glimpse_units="
                    f"{self.glimpse_units}). Received: output shape {tuple(features)}"
                )
        attention_input = self.units
        if self.context_cnn is not None:
            if min(height, width) < 2 * self.context_downsample:
                raise ValueError(
                    "images must be at least 2 * context_downsample pixels high and wide. "
                    f"Received: image shape {(height, width)}, "
                    f"context_downsample={self.context_downsample}"
                )
            self.context_cnn.build((None, height, width, channels))
            attention_input += self.units
        self.attention_cell.build((None, attention_input))
        self.aggregation_cell.build((None, self.glimpse_units))
        self.attention_params.build((None, self.units))
        self.classifier.build((None, self.units))
        self.built = True

    @staticmethod
    def _check_image_shape(shape):
        shape = tuple(shape)
        if len(shape) != 4 or any(s is None for s in shape[1:]):
            raise ValueError(
                "RecurrentAttentionModel expects images (batch, height, width, channels) with "
                f"known height, width and channels. Received: images.shape={shape}"
            )
        return shape

    def set_curriculum_phase(self, phase):
        """Switches to the "simple" or "full" glimpse network (second curriculum phase)."""
        self.curriculum_phase = check_choice("phase", phase, CURRICULUM_PHASES)
        self.simple_glimpse_network.trainable = phase == "simple"
        # The traced train/test/predict functions took the old branch: retrace them.
        self.train_function = self.test_function = self.predict_function = None

    def _run(self, images, training):
        """One pass over the glimpses; a dict of per-step tensors (batch, steps, ...)."""
        images = ops.cast(images, self.compute_dtype)
        height, width = images.shape[1], images.shape[2]
        batch = ops.shape(images)[0]
        h1 = ops.zeros((batch, self.units), self.compute_dtype)
        h2 = ops.zeros((batch, self.units), self.compute_dtype)
        context = None if self.context_cnn is None else self.context_cnn(images, training=training)
        network = self.full_glimpse_network
        if self.curriculum_phase == "simple":
            network = self.simple_glimpse_network
        centre = ops.zeros((batch, 2), self.compute_dtype)
        states, params, shifts, boxes = [], [], [], []
        for step in range(self.num_glimpses):
            glimpse = self.glimpse
            if self.unlimited_glimpse is not None and step < self.max_glimpse_extent_from_step:
                glimpse = self.unlimited_glimpse
            attention_input = h1 if context is None else ops.concatenate([h1, context], axis=-1)
            h2, _ = self.attention_cell(attention_input, [h2], training=training)
            p = self.attention_params(h2)
            if self.relative_shifts:
                shift = p[:, :2]
                p = ops.concatenate([centre + shift, p[:, 2:]], axis=-1)
            else:
                shift = p[:, :2] - centre
            centre = p[:, :2]
            features = network(glimpse([images, p], training=training), training=training)
            features = self.glimpse_feature_dropout(features, training=training)
            h1, _ = self.aggregation_cell(features, [h1], training=training)
            states.append((h1, h2))
            params.append(p)
            shifts.append(shift)
            boxes.append(glimpse.boxes(p, (height, width)))
        h1s = ops.stack([s[0] for s in states], axis=1)
        logits = self.classifier(ops.reshape(h1s, (-1, self.units)), training=training)
        logits = ops.reshape(logits, (batch, self.num_glimpses, self.num_classes))
        return {
            "step_probabilities": ops.softmax(ops.cast(logits, "float32"), axis=-1),
            "params": ops.stack(params, axis=1),
            "shifts": ops.stack(shifts, axis=1),
            "boxes": ops.stack(boxes, axis=1),
            "h1": h1s,
            "h2": ops.stack([s[1] for s in states], axis=1),
        }

    def trace(self, images, training=False):
        """Every step: `step_probabilities` (b, steps, classes), `probabilities` (b, classes),
        `params` (b, steps, 6), `shifts` (b, steps, 2), `boxes` (b, steps, 4), `h1`, `h2`
        (b, steps, units). With `test_time_samples > 1` at inference the probabilities are
        averaged over the noisy runs and the rest comes from the first run."""
        images = ops.convert_to_tensor(images)
        if not self.built:
            self.build(images.shape)
        samples = 1 if training else self.test_time_samples
        if samples > 1:
            tiled = ops.reshape(
                ops.tile(images[None], (samples, 1, 1, 1, 1)), (-1, *images.shape[1:])
            )
            out = self._run(tiled, training)
            batch = ops.shape(images)[0]
            steps = ops.reshape(
                out["step_probabilities"], (samples, batch, self.num_glimpses, self.num_classes)
            )
            out = {key: value[:batch] for key, value in out.items()}
            out["step_probabilities"] = ops.mean(steps, axis=0)
        else:
            out = self._run(images, training)
        k = self._step_per_output
        out["probabilities"] = out["step_probabilities"][:, k - 1 :: k]
        if self.glimpses_per_object is None:
            out["probabilities"] = out["probabilities"][:, 0]
        elif self.reading_order == "right_to_left":
            objects = out["probabilities"]
            lengths = _sequence_lengths(ops.argmax(objects, axis=-1), self.num_classes - 1)
            out["probabilities"] = _reverse_prefix(objects, lengths)
        return out

    def shift_penalty(self, shifts):
        """Eq. 4.4.1 on `shifts` (b, steps, 2): a * sum over steps S of mean_batch RBF."""
        squared = ops.sum(ops.square(ops.cast(shifts, "float32")), axis=-1)
        rbf = ops.exp(-squared / self.shift_regularizer_scale)
        if self.shift_regularizer_steps is not None:
            rbf = ops.take(rbf, self.shift_regularizer_steps, axis=1)
        return self.shift_regularizer_weight * ops.sum(ops.mean(rbf, axis=0))

    def call(self, images, training=None):
        out = self.trace(images, training=bool(training))
        if self.shift_regularizer_weight > 0:
            self.add_loss(self.shift_penalty(out["shifts"]))
        object.__setattr__(self, "_step_probabilities", out["step_probabilities"])
        return out["probabilities"]

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Cross-entropy of the chosen steps (see `loss_steps`) + the shift regulariser."""
        steps = self._step_probabilities
        if steps is None and self.glimpses_per_object is None:  # compute_loss without call
            labels = ops.reshape(ops.cast(y, "int32"), (-1,))
            nll = keras.losses.sparse_categorical_crossentropy(labels, ops.cast(y_pred, "float32"))
        else:
            if steps is None:
                raise ValueError("Call the model on the images before compute_loss.")
            step_labels = self._step_labels(y)
            if self.loss_steps == "last":
                step_labels = step_labels[:, self._step_per_output - 1 :: self._step_per_output]
                steps = steps[:, self._step_per_output - 1 :: self._step_per_output]
            nll = ops.mean(keras.losses.sparse_categorical_crossentropy(step_labels, steps), axis=1)
        if sample_weight is not None:
            weights = ops.reshape(ops.cast(sample_weight, "float32"), (-1,))
            loss = ops.sum(nll * weights) / ops.maximum(ops.sum(weights), 1e-12)
        else:
            loss = ops.mean(nll)
        if self.losses:
            loss = loss + ops.sum(ops.stack([ops.cast(l, "float32") for l in self.losses]))
        return loss

    @property
    def _step_per_output(self):
        return self.glimpses_per_object or self.num_glimpses

    def _step_labels(self, y):
        """Labels (batch, steps) in reading order: each output's label on each of its steps."""
        y = ops.cast(y, "int32")
        if self.glimpses_per_object is None:
            return ops.repeat(ops.reshape(y, (-1, 1)), self.num_glimpses, axis=1)
        if self.reading_order == "right_to_left":
            y = _reverse_prefix(y, _sequence_lengths(y, self.num_classes - 1))
        return ops.repeat(y, self.glimpses_per_object, axis=1)

    def transfer_weights_from(self, source):
        """Starts this model from a trained `source` attention model; returns the paths of
        the weights left as initialised.

        Every component's weights are copied where the shapes agree. Two differences are
        allowed: the classifier's output layer of another number of classes is left as
        initialised (e.g. digit sums from a pair model, thesis §4.4.1), and a model with
        the context network can start from one without it: the attention GRU's input
        kernel gets the source's rows for `h1` and zero rows for the context code, so at
        the start this model computes exactly what the source does and learns to use the
        context from there. Both models must be built (called on images).
        """
        if not isinstance(source, RecurrentAttentionModel):
            raise ValueError(
                f"source must be a RecurrentAttentionModel. Received: source={source!r}"
            )
        for role, model in (("source", source), ("this model", self)):
            if not model.built:
                raise ValueError(f"Call {role} on a batch of images before transfer_weights_from.")
        if source.context_cnn is not None and self.context_cnn is None:
            raise ValueError(
                "source has a context network and this model has none: its attention GRU "
                "would lose an input. Received: source.context_network=True, "
                "context_network=False"
            )
        kept = []
        for component in ("full_glimpse_network", "simple_glimpse_network", "context_cnn",
                          "attention_cell", "aggregation_cell", "attention_params", "classifier"):  # fmt: skip
            targets, sources = getattr(self, component), getattr(source, component)
            if targets is None or sources is None:
                kept += [] if targets is None else [w.path for w in targets.weights]
                continue
            if len(targets.weights) != len(sources.weights):
                raise ValueError(
                    f"source's {component} has {len(sources.weights)} weights, this model's "
                    f"{len(targets.weights)}: not the same architecture"
                )
            last_classifier_layer = targets.weights[-2:] if component == "classifier" else []
            for target, weight in zip(targets.weights, sources.weights):
                self._transfer_one(component, target, weight, last_classifier_layer, kept)
        return kept

    def _transfer_one(self, component, target, weight, last_classifier_layer, kept):
        target_shape, shape = tuple(target.shape), tuple(weight.shape)
        value = ops.convert_to_numpy(weight)
        widened = (
            component == "attention_cell" and target is self.attention_cell.kernel
            and target_shape[1] == shape[1] and target_shape[0] == shape[0] + self.units
        )  # fmt: skip
        if target_shape == shape:
            target.assign(value)
        elif widened:  # [h1, context] rows: h1's from the source, the context's zero
            target.assign(ops.concatenate([value, ops.zeros((self.units, shape[1]), value.dtype)], 0))
        elif any(target is w for w in last_classifier_layer):
            kept.append(target.path)
        else:
            raise ValueError(
                f"source's {component} weight {weight.path} has shape {shape}, this model's "
                f"{target.path} {target_shape}: not the same architecture"
            )

    @staticmethod
    def combine_readers(forward, backward, terminal_class=None):
        """Thesis rule combining a left-to-right and a right-to-left reader's outputs.

        `forward`, `backward`: `(batch, objects, classes)` probabilities of the two models
        (both in left-to-right order, as `call` returns them). Where both predict sequences
        of the same length the probabilities are averaged; otherwise the reader predicting
        the shorter sequence is taken. `terminal_class` defaults to the last class.
        """
        forward = ops.convert_to_tensor(forward)
        backward = ops.cast(ops.convert_to_tensor(backward), forward.dtype)
        if terminal_class is None:
            terminal_class = forward.shape[-1] - 1
        length_f = _sequence_lengths(ops.argmax(forward, axis=-1), terminal_class)
        length_b = _sequence_lengths(ops.argmax(backward, axis=-1), terminal_class)
        pick = ops.where((length_f < length_b)[:, None, None], forward, backward)
        same = (length_f == length_b)[:, None, None]
        return ops.where(same, (forward + backward) / 2.0, pick)

    def export_serving(self, filepath):
        """Writes a SavedModel whose `serve` signature (also `serving_default`) maps float
        images (batch, H, W, C) to `{"probabilities": (batch, classes), "boxes": (batch,
        steps, 4)}`. Call the model once first, so that it is built."""
        if not self.built:
            raise ValueError("Call the model on a batch of images before export_serving.")

        def serve(images):
            out = self.trace(images, training=False)
            return {"probabilities": out["probabilities"], "boxes": out["boxes"]}

        signature = [tf.TensorSpec((None, *self._image_shape), tf.float32, name="images")]
        return write_saved_model(self, filepath, {"serve": (serve, signature)})

    def get_config(self):
        config = super().get_config()
        glimpse_network = self._glimpse_network_kind
        if glimpse_network is None:
            glimpse_network = keras.saving.serialize_keras_object(self.full_glimpse_network)
        config.update(
            {
                "num_classes": self.num_classes,
                "num_glimpses": self.num_glimpses,
                "glimpse_shape": self.glimpse_shape,
                "units": self.units,
                "glimpse_network": glimpse_network,
                "glimpse_units": self.glimpse_units,
                "classifier_units": self.classifier_units,
                "context_network": self.context_network,
                "context_downsample": self.context_downsample,
                "relative_shifts": self.relative_shifts,
                "shift_regularizer_weight": self.shift_regularizer_weight,
                "shift_regularizer_scale": self.shift_regularizer_scale,
                "shift_regularizer_steps": self.shift_regularizer_steps,
                "attention_noise": self.attention_noise,
                "max_glimpse_extent": self.max_glimpse_extent,
                "max_glimpse_extent_from_step": self.max_glimpse_extent_from_step,
                "test_time_samples": self.test_time_samples,
                "glimpse_dropout": self.glimpse_dropout,
                "recurrent_dropout": self.recurrent_dropout,
                "loss_steps": self.loss_steps,
                "curriculum_phase": self.curriculum_phase,
                "glimpses_per_object": self.glimpses_per_object,
                "reading_order": self.reading_order,
                "seed": self.seed,
            }
        )
        return config
