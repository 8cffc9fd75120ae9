import doctest

import numpy as np
import tensorflow as tf

import tfrnnx
from tfrnnx.models.text_vae import kl_schedule
from tfrnnx.models.text_vae.kl_schedule import convergence_step, heuristic_kl_annealing


class KLScheduleTest(tf.test.TestCase):
    def test_convergence_is_the_best_step_before_patience_runs_out(self):
        steps = [100 * (i + 1) for i in range(8)]
        # Improves until step 400, then only by less than 1% three times: converged at 400.
        losses = [9.0, 6.0, 4.0, 3.0, 2.99, 2.985, 2.98, 2.9]
        self.assertEqual(convergence_step(losses, steps), 400)
        # A later real improvement before patience runs out restarts the wait.
        losses = [9.0, 6.0, 4.0, 3.0, 2.995, 2.8, 2.79, 2.79, 2.79]
        self.assertEqual(convergence_step(losses, steps + [900]), 600)
        # Worse values count as no improvement.
        self.assertEqual(convergence_step([3.0, 3.5, 4.0, 2.0], [1, 2, 3, 4], patience=2), 1)
        # Still improving at the end: the run was too short to tell.
        self.assertIsNone(convergence_step(list(np.linspace(5, 1, 10)), list(range(10))))
        # Negative losses (e.g. log-likelihood bounds shifted): relative to |best|.
        negative = [-1.0, -2.0, -2.001, -2.002, -2.003]
        self.assertEqual(convergence_step(negative, [1, 2, 3, 4, 5]), 2)

    def test_heuristic_starts_after_convergence_and_lasts_a_fifth(self):
        self.assertEqual(heuristic_kl_annealing(3000), (3000, 600))
        self.assertEqual(heuristic_kl_annealing(7, duration_fraction=0.5), (7, 4))
        self.assertEqual(heuristic_kl_annealing(1), (1, 1))
        vae = tfrnnx.models.LSTMTextVAE(
            vocab_size=5, sequence_length=4, latent_dim=2, encoder_units=4, decoder_units=4,
            embedding_dim=4, kl_annealing=heuristic_kl_annealing(10), seed=0,
        )
        self.assertEqual(vae.kl_annealing, (10, 2))
        betas = [float(kl_schedule.linear_kl_weight(step, *vae.kl_annealing))
                 for step in (9, 10, 11, 12, 20)]  # fmt: skip
        self.assertAllClose(betas, [0.0, 0.0, 0.5, 1.0, 1.0])

    def test_bad_arguments(self):
        cases = [
            (lambda: convergence_step([], []), "non-empty"),
            (lambda: convergence_step([1.0, 2.0], [1]), "one length"),
            (lambda: convergence_step([1.0, float("nan")], [1, 2]), "finite"),
            (lambda: convergence_step([1.0, 2.0], [2, 1]), "steps must increase"),
            (lambda: convergence_step([1.0], [1], patience=0), "patience=0"),
            (lambda: heuristic_kl_annealing(0), "converged_at=0"),
            (lambda: heuristic_kl_annealing(10, duration_fraction=0.1), "duration_fraction=0.1"),
        ]
        for call, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                call()

    def test_docstring_examples(self):
        self.assertEqual(doctest.testmod(kl_schedule).failed, 0)


if __name__ == "__main__":
    tf.test.main()
