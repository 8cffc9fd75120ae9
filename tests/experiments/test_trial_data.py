import numpy as np
import tensorflow as tf

from tfrnnx.experiments._trial_data import checked_train_ids
from tfrnnx.experiments._trial_data import shuffled_batches


class TrialDataTest(tf.test.TestCase):
    def test_checked_train_ids_names_the_expected_and_received_shape(self):
        ids = checked_train_ids([[1, 2, 3], [4, 5, 6]], 3)
        self.assertEqual(ids.dtype, np.int32)
        for bad in ([1, 2, 3], [[1, 2], [3, 4]], np.zeros((0, 3))):
            with self.assertRaisesRegex(ValueError, r"sequence_length=3.*train_ids.shape=\("):
                checked_train_ids(bad, 3)
        with self.assertRaisesRegex(ValueError, "train_ids must be a rectangular"):
            checked_train_ids([[1, 2, 3], [4]], 3)

    def test_shuffled_batches_are_full_and_each_pass_is_a_permutation(self):
        rows = np.arange(10, dtype="int32").reshape(5, 2)  # fewer rows than two batches
        batches = list(shuffled_batches(rows, batch_size=3, seed=0).take(10).as_numpy_iterator())
        self.assertTrue(all(batch.shape == (3, 2) for batch in batches))
        stream = np.concatenate(batches)[:, 0] // 2  # row index of every element, in order
        for start in range(0, 30, 5):
            self.assertEqual(sorted(stream[start:start + 5].tolist()), [0, 1, 2, 3, 4])
        self.assertNotEqual(stream[:5].tolist(), stream[5:10].tolist())  # reshuffled each pass
