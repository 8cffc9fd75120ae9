import doctest
import json
import os
import tempfile
import unittest

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

import tfrnnx
from testing import LayerChecks, requires_tensorflow_backend
from tfrnnx.layers import draw_glimpse as draw_glimpse_module
from tfrnnx.layers.draw_glimpse import DrawGlimpse


def reference_extent(p, max_extent=None):
    """Fraction of the image a grid spans: exp(p), or L exp(p) / (L + exp(p)) with a limit L."""
    return np.exp(p) if max_extent is None else max_extent * np.exp(p) / (max_extent + np.exp(p))


def reference_geometry(params, height, width, glimpse_shape, noise=(0.0, 0.0, 0.0, 0.0),
                       max_extent=None):  # fmt: skip
    """Grid positions and strides of one example, straight from the equations (float64)."""
    ny, nx = glimpse_shape
    p_cx, p_cy, p_dx, p_dy = (float(p) for p in params[:4])
    u_cx, u_cy, u_dx, u_dy = noise
    gx = (np.tanh(p_cx) + u_cx + 1) / 2 * (width - 1)
    gy = (np.tanh(p_cy) + u_cy + 1) / 2 * (height - 1)
    delta_x = reference_extent(p_dx, max_extent) * (width - 1) / (nx - 1) * (1 + u_dx)
    delta_y = reference_extent(p_dy, max_extent) * (height - 1) / (ny - 1) * (1 + u_dy)
    mu_x = [gx + (i - (nx + 1) / 2) * delta_x for i in range(1, nx + 1)]
    mu_y = [gy + (j - (ny + 1) / 2) * delta_y for j in range(1, ny + 1)]
    return mu_y, mu_x, delta_y, delta_x


def reference_filterbank(mu, variance, size):
    bank = np.zeros((len(mu), size))
    for i, m in enumerate(mu):
        for a in range(size):
            bank[i, a] = np.exp(-((a - m) ** 2) / (2 * variance))
        bank[i] /= max(bank[i].sum(), 1e-300)
    return bank


def reference_glimpse(images, params, glimpse_shape, max_extent=None):
    """gamma * Fy . image . Fx^T per example and channel, with loops, in float64."""
    images = np.asarray(images, "float64")
    params = np.asarray(params, "float64")
    batch, height, width, channels = images.shape
    out = np.zeros((batch, *glimpse_shape, channels))
    for b in range(batch):
        mu_y, mu_x, _, _ = reference_geometry(
            params[b], height, width, glimpse_shape, max_extent=max_extent
        )
        variance, gamma = np.exp(params[b, 4]), np.exp(params[b, 5])
        fy = reference_filterbank(mu_y, variance, height)
        fx = reference_filterbank(mu_x, variance, width)
        for c in range(channels):
            out[b, :, :, c] = gamma * fy @ images[b, :, :, c] @ fx.T
    return out


def random_inputs(seed, batch=3, height=9, width=11, channels=3):
    rng = np.random.default_rng(seed)
    images = rng.random((batch, height, width, channels)).astype("float32")
    params = (rng.standard_normal((batch, 6)) * 0.7).astype("float32")
    return images, params


def ramp_images(batch, size):
    """Channel 0 holds each pixel's x coordinate, channel 1 its y coordinate."""
    y, x = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    return np.broadcast_to(np.stack([x, y], -1), (batch, size, size, 2)).astype("float32")


@keras.saving.register_keras_serializable(package="tfrnnx_tests")
class LocatedGlimpse(keras.layers.Layer):
    """A Dense maps features to the six parameters of a DrawGlimpse: a trainable layer
    around the weightless DrawGlimpse, so the shared checks can fit it."""

    def __init__(self, glimpse, **kwargs):
        super().__init__(**kwargs)
        if isinstance(glimpse, dict):
            glimpse = keras.saving.deserialize_keras_object(glimpse)
        self.glimpse = glimpse
        self.locator = keras.layers.Dense(6, kernel_initializer="glorot_uniform")

    def build(self, input_shape):
        images_shape, features_shape = input_shape
        self.locator.build(features_shape)
        self.glimpse.build([images_shape, (features_shape[0], 6)])

    def call(self, inputs, training=False):
        images, features = inputs
        return self.glimpse([images, self.locator(features)], training=training)

    def get_config(self):
        config = super().get_config()
        config.update({"glimpse": keras.saving.serialize_keras_object(self.glimpse)})
        return config


class DrawGlimpseTest(tf.test.TestCase, parameterized.TestCase, LayerChecks):
    @parameterized.parameters(((4, 6), 3), ((5, 2), 1), ((3, 3), 32))
    def test_equals_numpy_reference(self, glimpse_shape, channels):
        images, params = random_inputs(0, channels=channels)
        layer = DrawGlimpse(glimpse_shape)
        expected = reference_glimpse(images, params, glimpse_shape)
        self.assertAllClose(layer([images, params]), expected, atol=1e-5, rtol=1e-5)

    @unittest.skipIf(
        keras.backend.backend() == "jax" and not os.environ.get("JAX_ENABLE_X64"),
        "JAX computes in float64 only with JAX_ENABLE_X64=1",
    )
    def test_float64_equals_numpy_reference_tightly(self):
        images, params = random_inputs(1, channels=2)
        params[:, 4] = [-3.0, 0.0, 2.0]  # narrow, unit and wide filters
        layer = DrawGlimpse((3, 5), dtype="float64")
        output = layer([images.astype("float64"), params.astype("float64")])
        self.assertEqual(keras.backend.standardize_dtype(output.dtype), "float64")
        self.assertAllClose(output, reference_glimpse(images, params, (3, 5)), atol=1e-12)

    def test_tiny_sigma_unit_stride_grid_reproduces_the_image(self):
        rng = np.random.default_rng(2)
        images = rng.random((2, 7, 7, 3)).astype("float32")
        # Centred (cx = 0), delta = exp(0) * 6 / 6 = 1, sigma^2 = e^-12, gamma = 1.
        params = np.tile(np.array([0, 0, 0, 0, -12, 0], "float32"), (2, 1))
        self.assertAllClose(DrawGlimpse((7, 7))([images, params]), images, atol=1e-6)

    def test_far_tiny_filters_weigh_the_nearest_pixel_instead_of_dividing_by_zero(self):
        images = np.arange(12, dtype="float32").reshape(1, 3, 4, 1)
        # The grid is ten image widths wide: its outer rows lie far outside the image.
        params = np.array([[0, 0, np.log(10.0), 0, -8, 0]], "float32")
        output = np.asarray(DrawGlimpse((3, 3))([images, params]))[0, :, :, 0]
        self.assertAllClose(output, [[0, 1.5, 3], [4, 5.5, 7], [8, 9.5, 11]], atol=1e-5)

    def test_noise_is_off_at_inference_unless_asked_for(self):
        images, params = random_inputs(3)
        plain = DrawGlimpse((4, 4))([images, params])
        noisy = DrawGlimpse((4, 4), noise=0.3, seed=1)
        self.assertAllEqual(noisy([images, params]), plain)
        self.assertAllEqual(noisy([images, params], training=False), plain)
        self.assertNotAllClose(noisy([images, params], training=True), plain)
        at_inference = DrawGlimpse((4, 4), noise=0.3, noise_at_inference=True, seed=1)
        self.assertNotAllClose(at_inference([images, params]), plain)

    def test_same_seed_same_noise_and_new_noise_at_each_call(self):
        images, params = random_inputs(4)
        first = DrawGlimpse((4, 4), noise=0.3, seed=7)
        second = DrawGlimpse((4, 4), noise=0.3, seed=7)
        a = first([images, params], training=True)
        self.assertAllEqual(a, second([images, params], training=True))
        self.assertNotAllClose(a, first([images, params], training=True))

    def test_noise_moves_centres_and_scales_strides_within_bounds(self):
        # On ramp images a wide Gaussian well inside the image reads its own centre, so
        # each glimpse pixel is (mu_x_i, mu_y_j) and the noise can be read back.
        size, batch, alpha = 101, 256, 0.2
        params = np.tile(np.array([0, 0, np.log(0.15), np.log(0.15), np.log(4.0), 0], "float32"),
                         (batch, 1))
        layer = DrawGlimpse((4, 4), noise=alpha, seed=3)
        glimpse = np.asarray(layer([ramp_images(batch, size), params], training=True))
        mu_x, mu_y = glimpse[:, 0, :, 0], glimpse[:, :, 0, 1]
        stride = 0.15 * (size - 1) / 3
        shifts = np.stack([mu_x.mean(1), mu_y.mean(1)], 1) - (size - 1) / 2
        factors = np.stack([np.diff(mu_x).mean(1), np.diff(mu_y).mean(1)], 1) / stride
        centre_bound, factor_bound = alpha * (size - 1) / 2, alpha
        self.assertLessEqual(np.abs(shifts).max(), centre_bound + 1e-2)
        self.assertLessEqual(np.abs(factors - 1).max(), factor_bound + 1e-3)
        # Spread over the range, and the four draws of an example are independent.
        self.assertGreater(np.abs(shifts).max(), 0.8 * centre_bound)
        self.assertGreater(np.abs(factors - 1).max(), 0.8 * factor_bound)
        draws = np.concatenate([shifts / centre_bound, factors - 1], 1)
        correlations = np.corrcoef(draws.T)[np.triu_indices(4, 1)]
        self.assertLess(np.abs(correlations).max(), 0.25)

    def test_noiseless_ramp_reads_the_equations_grid(self):
        size = 101
        params = np.array([[0.3, -0.2, np.log(0.15), np.log(0.1), np.log(4.0), 0]], "float32")
        glimpse = np.asarray(DrawGlimpse((3, 4))([ramp_images(1, size), params]))
        mu_y, mu_x, _, _ = reference_geometry(params[0], size, size, (3, 4))
        self.assertAllClose(glimpse[0, 0, :, 0], mu_x, atol=1e-2)
        self.assertAllClose(glimpse[0, :, 0, 1], mu_y, atol=1e-2)

    @requires_tensorflow_backend
    def test_gradients_to_images_and_all_six_params_match_finite_differences(self):
        images, params = random_inputs(5, batch=2, height=5, width=6, channels=2)
        layer = DrawGlimpse((3, 4), dtype="float64")
        theoretical, numerical = tf.test.compute_gradient(
            lambda x, p: layer([x, p]),
            [tf.constant(images, tf.float64), tf.constant(params, tf.float64)],
            delta=1e-6,
        )
        for t, n in zip(theoretical, numerical):
            self.assertAllClose(t, n, atol=1e-7, rtol=1e-6)
        params_jacobian = theoretical[1].reshape(-1, 2, 6)
        self.assertTrue(np.all(np.abs(params_jacobian).max(axis=0) > 1e-3))
        self.assertGreater(np.abs(theoretical[0]).max(), 1e-3)

    @requires_tensorflow_backend
    def test_gradients_flow_through_the_noise(self):
        images, params = random_inputs(6)
        layer = DrawGlimpse((4, 4), noise=0.2, seed=0)
        params = tf.Variable(params)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer([images, params], training=True) ** 2)
        gradient = np.asarray(tape.gradient(loss, params))
        self.assertTrue(np.all(np.isfinite(gradient)))
        self.assertTrue(np.all(np.abs(gradient).max(axis=0) > 0))

    def test_boxes_equal_numpy_and_draw(self):
        images, params = random_inputs(7, height=20, width=30)
        boxes = np.asarray(DrawGlimpse((4, 6)).boxes(params, images.shape))
        self.assertAllClose(boxes, DrawGlimpse((4, 6)).boxes(params, (20, 30)))
        for b in range(len(params)):
            mu_y, mu_x, delta_y, delta_x = reference_geometry(params[b], 20, 30, (4, 6))
            expected = [(mu_y[0] - delta_y / 2) / 19, (mu_x[0] - delta_x / 2) / 29,
                        (mu_y[-1] + delta_y / 2) / 19, (mu_x[-1] + delta_x / 2) / 29]
            self.assertAllClose(boxes[b], expected, atol=1e-6)
        drawn = tf.image.draw_bounding_boxes(images, boxes[:, None], [[1.0, 0.0, 0.0]])
        self.assertEqual(drawn.shape, images.shape)

    def test_whole_image_grid_box_is_the_image_plus_half_a_stride(self):
        boxes = np.asarray(DrawGlimpse((10, 5)).boxes(np.zeros((1, 6), "float32"), (10, 5)))
        self.assertAllClose(boxes[0], [-1 / 18, -1 / 8, 1 + 1 / 18, 1 + 1 / 8])

    @requires_tensorflow_backend
    def test_xla_equals_eager_with_and_without_noise(self):
        images, params = random_inputs(8, channels=4)
        layer = DrawGlimpse((3, 5))
        compiled = tf.function(lambda x, p: layer([x, p]), jit_compile=True)
        self.assertAllClose(compiled(images, params), layer([images, params]), atol=1e-6)
        noisy = DrawGlimpse((3, 5), noise=0.1, seed=0)
        compiled_noisy = tf.function(lambda x, p: noisy([x, p], training=True), jit_compile=True)
        self.assertTrue(np.all(np.isfinite(compiled_noisy(images, params))))

    def test_dynamic_image_size_and_integer_images(self):
        images = keras.Input((None, None, 1), dtype="uint8")
        params = keras.Input((6,))
        model = keras.Model([images, params], DrawGlimpse((3, 2))([images, params]))
        for height, width in ((8, 5), (6, 12)):
            x, p = random_inputs(9, height=height, width=width, channels=1)
            x = (x * 255).astype("uint8")
            self.assertAllClose(model([x, p]), reference_glimpse(x, p, (3, 2)), rtol=1e-5)

    def test_mixed_float16_is_close_to_float32_with_float32_filterbanks(self):
        images, params = random_inputs(10, height=100, width=100, channels=2)
        params[:, 4] = -6.0  # narrow filters on a large image: distances^2 up to 1e4 / sigma^2
        expected = DrawGlimpse((6, 4))([images, params])
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy("mixed_float16")
        try:
            output = DrawGlimpse((6, 4))([images, params])
        finally:
            keras.config.set_dtype_policy(previous)
        self.assertEqual(keras.backend.standardize_dtype(output.dtype), "float16")
        self.assertAllClose(np.asarray(output, "float32"), expected, atol=1e-2, rtol=1e-2)

    @parameterized.named_parameters(("plain", 0.0), ("noise", 0.1))
    def test_standard_layer_checks_of_a_trainable_layer_around_it(self, noise):
        rng = np.random.default_rng(11)
        images = rng.random((4, 10, 12, 3)).astype("float32")
        features = rng.standard_normal((4, 5)).astype("float32")
        # The shared export check calls serve(*inputs); a multi-input model's signature
        # takes one list, so the export round trip is checked below instead.
        model = self.run_layer_checks(
            lambda: LocatedGlimpse(DrawGlimpse((3, 4), noise=noise, seed=0)),
            [images, features],
            (4, 3, 4, 3),
            export=False,
        )
        with tempfile.TemporaryDirectory() as tmp:
            model.export(tmp, verbose=False)
            served = tf.saved_model.load(tmp)
            self.assertAllClose(
                served.serve([images, features]),
                model.predict([images, features], verbose=0),
                atol=1e-5,
            )

    @parameterized.parameters(0.25, 0.6, 1.0)
    def test_size_limit_equals_numpy_reference(self, max_extent):
        images, params = random_inputs(3)
        params[:, 2:4] = [[-3.0, -2.0], [0.0, 0.5], [4.0, 9.0]]  # small, whole, huge grids
        layer = DrawGlimpse((4, 5), max_extent=max_extent)
        expected = reference_glimpse(images, params, (4, 5), max_extent=max_extent)
        self.assertAllClose(layer([images, params]), expected, atol=1e-5, rtol=1e-5)

    def test_size_limit_caps_the_box_and_keeps_small_grids(self):
        size = 100
        params = np.zeros((3, 6), "float32")
        params[:, 2] = params[:, 3] = [-4.0, 0.0, 20.0]
        limited = DrawGlimpse((12, 12), max_extent=0.4).boxes(params, (size, size))
        free = DrawGlimpse((12, 12)).boxes(params, (size, size))
        # Grid span (ymax - ymin without the half strides at both ends) is at most 0.4 of
        # the image, approaching it for huge p; a small grid is as without the limit.
        span = (limited[:, 2] - limited[:, 0]) * 11 / 12
        self.assertAllClose(span, [np.exp(-4.0) * 0.4 / (0.4 + np.exp(-4.0)), 0.4 / 1.4, 0.4],
                            atol=1e-5)  # fmt: skip
        self.assertAllClose(limited[0], free[0], atol=2e-3)
        self.assertTrue(np.all(np.asarray(free[2, 2] - free[2, 0]) > 1e6))

    @requires_tensorflow_backend
    def test_size_limit_keeps_the_gradient_near_the_limit(self):
        # Near the limit the gradient still reaches p_dx (a soft limit, not a clip).
        size = 100
        near = np.zeros((1, 6), "float32")
        near[0, 2] = 3.0
        with tf.GradientTape() as tape:
            p = tf.constant(near)
            tape.watch(p)
            box = DrawGlimpse((12, 12), max_extent=0.4).boxes(p, (size, size))
            width = box[:, 3] - box[:, 1]
        expected = 0.4 * 0.4 * np.exp(3.0) / (0.4 + np.exp(3.0)) ** 2 * 12 / 11  # d width / d p
        self.assertAllClose(tape.gradient(width, p)[0, 2], expected, rtol=1e-4)

    def test_config_round_trip(self):
        layer = DrawGlimpse((5, 3), noise=0.25, noise_at_inference=True, max_extent=0.5, seed=4,
                            name="read")  # fmt: skip
        config = json.loads(json.dumps(layer.get_config()))
        clone = DrawGlimpse.from_config(config)
        self.assertEqual(clone.get_config(), layer.get_config())
        self.assertEqual(clone.glimpse_shape, (5, 3))
        self.assertEqual(clone.max_extent, 0.5)
        images, params = random_inputs(12)
        self.assertAllEqual(clone([images, params]), layer([images, params]))
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
        self.assertIsInstance(restored, DrawGlimpse)

    def test_seed_generator_only_with_noise(self):
        self.assertEqual(DrawGlimpse().variables, [])
        self.assertLen(DrawGlimpse(noise=0.1, seed=1).non_trainable_variables, 1)

    def test_docstring_example(self):
        result = doctest.testmod(draw_glimpse_module, extraglobs={"tfrnnx": tfrnnx})
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)

    @parameterized.parameters(
        ("glimpse_shape", (1, 4)),
        ("glimpse_shape", (4,)),
        ("glimpse_shape", 12),
        ("glimpse_shape", (4.0, 4)),
        ("noise", -0.1),
        ("noise", 1.0),
        ("noise", "0.1"),
        ("noise_at_inference", "yes"),
        ("max_extent", 0.0),
        ("max_extent", 1.5),
        ("max_extent", "0.5"),
        ("seed", 1.5),
    )
    def test_bad_arguments_name_argument_and_value(self, name, value):
        with self.assertRaisesRegex(ValueError, f"{name}.*Received: {name}="):
            DrawGlimpse(**{name: value})

    def test_wrong_inputs_give_clear_errors(self):
        images, params = random_inputs(13)
        layer = DrawGlimpse((3, 3))
        with self.assertRaisesRegex(ValueError, r"\[images, params\]"):
            layer(images)
        with self.assertRaisesRegex(ValueError, r"rank 4.*images.shape=\(3, 9, 11\)"):
            DrawGlimpse()([images[..., 0], params])
        with self.assertRaisesRegex(ValueError, r"\(batch, 6\).*params.shape=\(3, 5\)"):
            DrawGlimpse()([images, params[:, :5]])
        with self.assertRaisesRegex(ValueError, "at least 2 pixels"):
            DrawGlimpse()([images[:, :1], params])
        with self.assertRaisesRegex(ValueError, "image_shape must.*Received: image_shape=\\(9,\\)"):
            layer.boxes(params, (9,))
        with self.assertRaisesRegex(ValueError, r"params.shape=\(3, 5\)"):
            layer.boxes(params[:, :5], (9, 11))

    def test_exported_from_the_package(self):
        self.assertIs(tfrnnx.layers.DrawGlimpse, DrawGlimpse)
        self.assertIs(
            keras.saving.get_registered_object("tfrnnx>DrawGlimpse"), DrawGlimpse
        )


class BoxAreaTest(tf.test.TestCase):
    def test_area_inside_the_image(self):
        # Reference by hand: inside [0, 1]^2; a box reaching out is clipped to the image.
        boxes = np.array([[0.25, 0.25, 0.75, 0.75], [-0.5, 0.0, 0.5, 2.0], [0.1, 0.1, 0.1, 0.9]])
        areas = np.asarray(DrawGlimpse.box_area(boxes.astype("float32")))
        self.assertAllClose(areas, [0.25, 0.5, 0.0])
