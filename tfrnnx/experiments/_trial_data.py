"""The training data of one text-GAN protocol trial, shared by the trial adapters."""

import numpy as np
import tensorflow as tf


def checked_train_ids(train_ids, sequence_length):
    """`train_ids` as int32 `(n, sequence_length)`, n >= 1, or a ValueError naming the shape."""
    try:
        train_ids = np.asarray(train_ids)
    except ValueError as error:  # ragged rows
        raise ValueError(f"train_ids must be a rectangular array of ids. Received: {error}") from None
    if train_ids.ndim != 2 or train_ids.shape[1] != sequence_length or len(train_ids) == 0:
        raise ValueError(
            f"train_ids must have shape (n >= 1, sequence_length={sequence_length}). Received: "
            f"train_ids.shape={train_ids.shape}"
        )
    return train_ids.astype("int32")


def shuffled_batches(train_ids, batch_size, seed):
    """Endless batches of `train_ids`, reshuffled each pass (repeat before batch: all full)."""
    return (
        tf.data.Dataset.from_tensor_slices(train_ids)
        .shuffle(len(train_ids), seed=seed)
        .repeat()
        .batch(batch_size, drop_remainder=True)
    )
