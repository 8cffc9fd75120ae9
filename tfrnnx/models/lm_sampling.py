"""Ancestral sampling of sentences from a `tfrnnx.models.LanguageModel`."""

import tensorflow as tf

from tfrnnx._validation import check_integer
from tfrnnx._validation import check_number
from tfrnnx._validation import check_seed
from tfrnnx.models.language_model import LanguageModel


def sample_sentences(lm, num_samples, max_length=40, temperature=1.0, batch_size=256, seed=0):
    """Draws sentences from `lm` token by token, starting at `<bos>` and ending at `<eos>`.

    `lm.sample_ids` (a `tfrnnx.samplers.RandomSampler` loop, compiled once with
    `tf.function`) draws each next token from `softmax(logits / temperature)`; batch `k`
    is seeded by `(seed, k)`. `<pad>`, `<unk>` and `<bos>` are never drawn. A sentence that
    reaches `max_length` tokens without `<eos>` is cut there.

    Args:
        lm: a `tfrnnx.models.LanguageModel`.
        num_samples: positive integer, number of sentences.
        max_length: positive integer, the most tokens (words or pieces) per sentence.
        temperature: positive float; 1.0 samples from the model's distribution.
        batch_size: sentences drawn in parallel.
        seed: integer seed.

    Returns:
        A list of `num_samples` strings (`lm.vocabulary.decode` of the drawn ids: words
        joined by single spaces, or SentencePiece text; possibly empty when `<eos>` comes
        first).
    """
    if not isinstance(lm, LanguageModel):
        raise ValueError(
            f"lm must be a tfrnnx.models.LanguageModel. Received: lm of type {type(lm).__name__}"
        )
    for name, value in (("num_samples", num_samples), ("max_length", max_length),
                        ("batch_size", batch_size)):  # fmt: skip
        check_integer(name, value)
    check_number("temperature", temperature, low=0, include_low=False)
    seed = check_seed("seed", seed)
    draw = tf.function(lambda size, seeds: lm.sample_ids(size, max_length, temperature, seeds))
    eos = lm.vocabulary.eos_id
    sentences = []
    for batch, start in enumerate(range(0, num_samples, batch_size)):
        size = min(batch_size, num_samples - start)
        ids = draw(tf.constant(size), tf.constant([seed, batch], tf.int64)).numpy()
        for row in ids:
            row = list(row[1:])
            sentences.append(lm.vocabulary.decode(row[: row.index(eos)] if eos in row else row))
    return sentences
