import keras
import numpy as np
import tensorflow as tf

import tfrnnx
import tfrnnx.callbacks
from testing import BetaModel


class KLAnnealingTest(tf.test.TestCase):
    def test_schedule_on_any_model(self):
        model = BetaModel()
        model.compile(optimizer="sgd", loss="mse")
        annealing = tfrnnx.callbacks.KLAnnealing(start_step=1, duration_steps=3)
        seen = []
        record = keras.callbacks.LambdaCallback(
            on_train_batch_end=lambda batch, logs: seen.append(float(model.beta.numpy()))
        )
        x = np.ones((6, 2), "float32")
        history = model.fit(x, x[:, :1], batch_size=1, epochs=1, verbose=0,
                            callbacks=[annealing, record])
        self.assertAllClose(seen, np.clip((np.arange(6) - 1) / 3, 0, 1))
        self.assertAllClose(history.history["beta"], [1.0])
        self.assertEqual(annealing.value_at(0), 0.0)
        self.assertAllClose(annealing.value_at(2), 1 / 3)

    def test_initial_weight_is_a_floor_the_ramp_starts_from(self):
        model = BetaModel()
        model.compile(optimizer="sgd", loss="mse")
        annealing = tfrnnx.callbacks.KLAnnealing(start_step=2, duration_steps=4, initial_weight=0.2)
        seen = []
        record = keras.callbacks.LambdaCallback(
            on_train_batch_end=lambda batch, logs: seen.append(float(model.beta.numpy()))
        )
        x = np.ones((8, 2), "float32")
        model.fit(x, x[:, :1], batch_size=1, epochs=1, verbose=0, callbacks=[annealing, record])
        # β = w + (1 - w) * clip((step - start) / duration, 0, 1), w = 0.2
        self.assertAllClose(seen, 0.2 + 0.8 * np.clip((np.arange(8) - 2) / 4, 0, 1))
        config = annealing.get_config()
        self.assertEqual(config["initial_weight"], 0.2)
        self.assertEqual(tfrnnx.callbacks.KLAnnealing.from_config(config).value_at(3), 0.4)
        for bad in (-0.1, 1.0, "x"):
            with self.assertRaisesRegex(ValueError, "initial_weight"):
                tfrnnx.callbacks.KLAnnealing(0, 1, initial_weight=bad)

    def test_errors(self):
        with self.assertRaisesRegex(ValueError, "start_step"):
            tfrnnx.callbacks.KLAnnealing(-1, 3)
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        with self.assertRaisesRegex(ValueError, "variable attribute 'beta'"):
            model.fit(np.ones((2, 2)), np.ones((2, 1)), verbose=0,
                      callbacks=[tfrnnx.callbacks.KLAnnealing(0, 1)])
        vae = tfrnnx.models.LSTMTextVAE(4, 4, latent_dim=2, encoder_units=4, decoder_units=4,
                                        embedding_dim=4, kl_annealing=(0, 5))
        vae.compile(optimizer="sgd")
        with self.assertRaisesRegex(ValueError, "kl_annealing=None"):
            vae.fit(np.zeros((2, 4), "int32"), verbose=0,
                    callbacks=[tfrnnx.callbacks.KLAnnealing(0, 1)])
