import keras
import numpy as np
import tensorflow as tf

import tfrnnx
import tfrnnx.callbacks
from testing import BetaModel


def _driven(callback, epoch_losses, steps_per_epoch):
    """Runs `callback` by hand: `steps_per_epoch` optimizer steps per epoch, then the
    scripted loss; returns β before every step."""
    model = BetaModel()
    model.compile(optimizer="sgd", loss="mse")
    model(np.ones((1, 2), "float32"))
    model.optimizer.build(model.trainable_variables)
    callback.set_model(model)
    callback.on_train_begin()
    betas = []
    for epoch, loss in enumerate(epoch_losses):
        for batch in range(steps_per_epoch):
            callback.on_train_batch_begin(batch)
            betas.append(float(model.beta.numpy()))
            model.optimizer.iterations.assign_add(1)
            callback.on_train_batch_end(batch)
        callback.on_epoch_end(epoch, {"val_loss": loss})
    return model, betas


class HeuristicKLAnnealingTest(tf.test.TestCase):
    def test_the_thesis_rule_on_a_scripted_curve(self):
        # Epochs of 100 steps; best loss at step 300, then 3 epochs within 1%: converged at
        # 300, seen at step 600. Thesis: anneal after convergence, for >= 20% of 300 steps.
        callback = tfrnnx.callbacks.HeuristicKLAnnealing(patience=3)
        losses = [5.0, 3.0, 2.0, 1.99, 1.985, 1.99, 1.9, 1.9]
        model, betas = _driven(callback, losses, 100)
        self.assertEqual((callback.converged_at, callback.start_step, callback.duration_steps),
                         (300, 600, 60))
        expected = np.clip((np.arange(800) - 600) / 60, 0, 1)
        self.assertAllClose(betas, expected)
        self.assertFalse(model.stop_training)

    def test_longer_fraction_and_stop_at_full_weight(self):
        callback = tfrnnx.callbacks.HeuristicKLAnnealing(
            patience=2, duration_fraction=0.5, steps_at_full_weight=5)
        model, betas = _driven(callback, [4.0, 4.0, 4.0, 4.0], 10)
        # Converged at step 10, seen at 30: β rises over 5 steps from 30, stops 5 steps after 35.
        self.assertEqual((callback.converged_at, callback.start_step, callback.duration_steps),
                         (10, 30, 5))
        self.assertAllClose(betas[30:36], [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
        self.assertTrue(model.stop_training)

    def test_initial_weight_holds_until_convergence_then_ramps_to_one(self):
        callback = tfrnnx.callbacks.HeuristicKLAnnealing(
            patience=2, duration_fraction=0.5, initial_weight=0.2)
        _, betas = _driven(callback, [4.0, 4.0, 4.0, 4.0], 10)
        # As in the test above, but β starts at 0.2: 0.2 + 0.8 * (0, 0.2, ..., 1).
        self.assertAllClose(betas[:31], np.full(31, 0.2))
        self.assertAllClose(betas[30:36], [0.2, 0.36, 0.52, 0.68, 0.84, 1.0])
        self.assertAllClose(betas[36:], np.ones(4))

    def test_beta_stays_zero_while_still_improving(self):
        callback = tfrnnx.callbacks.HeuristicKLAnnealing(patience=2)
        _, betas = _driven(callback, [5.0, 4.0, 3.0, 2.0], 10)
        self.assertIsNone(callback.converged_at)
        self.assertAllClose(betas, np.zeros(40))

    def test_in_fit_on_a_tfrnnx_vae(self):
        vae = tfrnnx.models.LSTMTextVAE(vocab_size=5, sequence_length=4, latent_dim=2,
                                        encoder_units=4, decoder_units=4, embedding_dim=4, seed=0)
        vae.compile(optimizer=keras.optimizers.SGD(0.0))
        callback = tfrnnx.callbacks.HeuristicKLAnnealing(monitor="val_loss", patience=1,
                                                         steps_at_full_weight=2)
        tokens = np.zeros((40, 4), "int32")
        history = vae.fit(tokens, batch_size=2, epochs=10, steps_per_epoch=2,
                          validation_data=(tokens[:4],), callbacks=[callback], verbose=0)
        # Converged at step 2, seen at 4; β = 0 at step 4, 1 from step 5; stops after 2 steps
        # at β = 1 (steps 5, 6). The model logs the β of each epoch's last step.
        self.assertEqual((callback.converged_at, callback.start_step, callback.duration_steps), (2, 4, 1))
        self.assertAllClose(history.history["beta"], [0.0, 0.0, 1.0, 1.0])

    def test_model_that_anneals_itself_is_refused(self):
        vae = tfrnnx.models.LSTMTextVAE(vocab_size=5, sequence_length=4, latent_dim=2,
                                        encoder_units=4, decoder_units=4, embedding_dim=4,
                                        kl_annealing=(0, 10), seed=0)
        vae.compile(optimizer="adam")
        with self.assertRaisesRegex(ValueError, "kl_annealing=None"):
            vae.fit(np.zeros((4, 4), "int32"), epochs=1, verbose=0,
                    callbacks=[tfrnnx.callbacks.HeuristicKLAnnealing(monitor="loss")])

    def test_missing_monitor_and_bad_arguments_are_named(self):
        callback = tfrnnx.callbacks.HeuristicKLAnnealing(monitor="val_rec")
        with self.assertRaisesRegex(ValueError, "val_rec.*lack"):
            _driven(callback, [1.0], 1)
        with self.assertRaisesRegex(ValueError, "duration_fraction"):
            tfrnnx.callbacks.HeuristicKLAnnealing(duration_fraction=0.1)
        with self.assertRaisesRegex(ValueError, "steps_at_full_weight"):
            tfrnnx.callbacks.HeuristicKLAnnealing(steps_at_full_weight=-1)
        with self.assertRaisesRegex(ValueError, "monitor"):
            tfrnnx.callbacks.HeuristicKLAnnealing(monitor="")
        for bad in (-0.1, 1.0):
            with self.assertRaisesRegex(ValueError, f"initial_weight.*{bad}"):
                tfrnnx.callbacks.HeuristicKLAnnealing(initial_weight=bad)

    def test_config_round_trip(self):
        callback = tfrnnx.callbacks.HeuristicKLAnnealing(
            monitor="val_rec", patience=4, min_relative_improvement=0.02,
            duration_fraction=0.3, steps_at_full_weight=7, variable_name="kl_weight",
            initial_weight=1e-3)
        clone = tfrnnx.callbacks.HeuristicKLAnnealing.from_config(callback.get_config())
        self.assertEqual(clone.get_config(), callback.get_config())
        self.assertEqual(keras.saving.deserialize_keras_object(
            keras.saving.serialize_keras_object(callback)).get_config(), callback.get_config())
