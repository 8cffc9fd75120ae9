"""One train-and-evaluate run of a text VAE, as the thesis §5.5 scripts need it.

`fit_and_evaluate` trains a compiled-here `HybridTextVAE` / `LSTMTextVAE` for one pass over
`train_ids` (with a fixed KL schedule, or the thesis' heuristic), evaluates on `valid_ids`
and returns one row of per-character numbers (bits), the collapse monitors, a few samples
from the prior and a reconstruction.
"""

import functools
import math
import time

import keras
import numpy as np
import tensorflow as tf

from tfrnnx.tokenizers.character_vocabulary import CharacterVocabulary


def ids_to_text(ids, vocabulary, pad_id=None):
    """Characters of one id row; ids equal to `pad_id` are dropped."""
    pad = None if pad_id is None else vocabulary[pad_id]
    return CharacterVocabulary(vocabulary, pad_character=pad).decode(ids)


def fit_and_evaluate(model, train_ids, valid_ids, vocabulary, batch_size=32, learning_rate=2e-3,
                     num_samples=1, pad_id=None, seed=0, run_eagerly=False, annealing=None,
                     check_every=100):
    """Trains `model` one epoch over `train_ids` and evaluates it on `valid_ids`.

    With `annealing` (a `tfrnnx.callbacks.KLAnnealing`, e.g. `HeuristicKLAnnealing`, the
    model built with `kl_annealing=None`) the epoch is cut into epochs of `check_every`
    steps, validated on `valid_ids` (the heuristic finds the β = 0 convergence point there,
    and `curve` records them); training ends when the callback stops it or `train_ids` is
    used up.

    Returns a dict: `rec`, `kl`, `total` (= rec + KL, the negative ELBO) in bits per
    character, `kl_share` (KL / total), `active` units, `mi` (nats), `params`, `seconds`
    of training, `steps` trained, `samples` (greedy decodings of z ~ N(0, I)) and
    `reconstruction` (a validation row and the greedy decoding of its posterior mean), as
    text; with `annealing` also `anneal_start` and `anneal_steps`, `converged_at` (None
    unless the schedule is the heuristic's) and `curve`: one `[step, β, rec, KL]` per
    validation (bits per character, z a posterior sample).
    """
    length = int(valid_ids.shape[1])
    model(valid_ids[:2])  # builds the subclassed model (count_params)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), run_eagerly=run_eagerly)
    kl_bits_per_token = lambda nats: float(nats) / (length * math.log(2))  # noqa: E731  (KL is per sequence)
    start = time.perf_counter()
    if annealing is None:
        model.fit(train_ids, batch_size=batch_size, epochs=1, verbose=0)
    else:
        batches = tf.data.Dataset.from_tensor_slices(train_ids).batch(batch_size, drop_remainder=True)
        every = max(1, min(check_every, len(train_ids) // batch_size))
        history = model.fit(
            batches.repeat(), steps_per_epoch=every, epochs=max(1, len(train_ids) // batch_size // every),
            validation_data=(valid_ids,), validation_batch_size=batch_size,
            callbacks=[annealing], shuffle=False, verbose=0)  # fragments are random draws
    seconds = time.perf_counter() - start
    schedule = {}
    if annealing is not None:
        logs = history.history
        schedule = {
            "converged_at": getattr(annealing, "converged_at", None),
            "anneal_start": annealing.start_step, "anneal_steps": annealing.duration_steps,
            "curve": [[every * (i + 1), logs["beta"][i], logs["val_bits_per_token"][i], kl_bits_per_token(kl)]
                      for i, kl in enumerate(logs["val_kl"])],
        }
    logs = model.evaluate(valid_ids, batch_size=batch_size, verbose=0, return_dict=True)
    rec = float(logs["bits_per_token"])
    kl = kl_bits_per_token(logs["kl"])
    text = lambda row: ids_to_text(row, vocabulary, pad_id)  # noqa: E731
    reconstructed = np.asarray(model.reconstruct(valid_ids[:1]))[0]
    return {
        "rec": rec, "kl": kl, "total": rec + kl, "kl_share": kl / (rec + kl),
        "active": float(logs["active_units"]), "mi": float(logs["mutual_info"]),
        "params": int(model.count_params()), "seconds": seconds,
        "steps": int(keras.ops.convert_to_numpy(model.optimizer.iterations)), **schedule,
        "samples": [text(row) for row in np.asarray(model.sample(num_samples, seed=seed))],
        "reconstruction": [text(valid_ids[0]), text(reconstructed)],
    }


def parameter_count(model, length):
    """Parameters of a text VAE, built on a batch of one `length`-token row."""
    model(np.zeros((1, length), "int32"))
    return int(model.count_params())


def units_matching(parameters_of, target, max_units):
    """The units in 1 .. `max_units` whose model, `parameters_of(units)` parameters, comes
    closest to `target` parameters (the thesis compares parameter-matched models)."""
    parameters_of = functools.cache(parameters_of)  # each count builds a model: count once
    low, high = 1, max_units
    while low < high:  # the count grows with the units: the first at or above the target
        middle = (low + high) // 2
        if parameters_of(middle) < target:
            low = middle + 1
        else:
            high = middle
    return min({max(1, low - 1), low}, key=lambda units: abs(parameters_of(units) - target))


def markdown_cell(text):
    """`text` as an inline-code table cell: pipes escaped, padding and newlines visible."""
    return "`" + text.replace("|", "\\|").replace("\n", "⏎").replace("`", "'") + "`"
