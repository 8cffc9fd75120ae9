"""Ancestral sampling of sentences from a `tfrnnx.models.LanguageModel`."""

import keras
import numpy as np

from tfrnnx._validation import check_integer
from tfrnnx._validation import check_number
from tfrnnx.models.language_model import LanguageModel


def sample_sentences(lm, num_samples, max_length=40, temperature=1.0, batch_size=256, seed=0):
    """Draws sentences from `lm` token by token, starting at `<bos>` and ending at `<eos>`.

    Each step runs the model on the whole prefix (the LSTM state is not carried, so a
    step costs the prefix length; fine for sentences of a few dozen words) and draws the
    next token from `softmax(logits / temperature)` with numpy's `default_rng(seed)`.
    `<pad>`, `<unk>` and `<bos>` are never drawn. A sentence that reaches `max_length`
    tokens without `<eos>` is cut there.

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
    rng = np.random.default_rng(seed)
    vocab = lm.vocabulary  # WordVocabulary or SentencePieceVocabulary: same special ids
    banned = [vocab.pad_id, vocab.unk_id, vocab.bos_id]
    sentences = []
    for start in range(0, num_samples, batch_size):
        size = min(batch_size, num_samples - start)
        ids = np.full((size, 1), vocab.bos_id, "int32")
        done = np.zeros(size, bool)
        for _ in range(max_length + 1):
            logits = np.asarray(keras.ops.cast(lm(ids, training=False)[:, -1], "float64"))
            logits = logits / temperature
            logits[:, banned] = -np.inf
            if ids.shape[1] == max_length + 1:  # only <eos> is left
                logits[:, np.arange(logits.shape[1]) != vocab.eos_id] = -np.inf
            probs = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs /= probs.sum(axis=1, keepdims=True)
            cumulative = np.cumsum(probs, axis=1)
            draws = rng.random((size, 1))
            nxt = np.minimum((cumulative < draws).sum(axis=1), probs.shape[1] - 1)
            nxt = np.where(done, vocab.eos_id, nxt).astype("int32")
            ids = np.concatenate([ids, nxt[:, None]], axis=1)
            done |= nxt == vocab.eos_id
            if done.all():
                break
        for row in ids:
            row = list(row[1:])
            row = row[: row.index(vocab.eos_id)] if vocab.eos_id in row else row
            sentences.append(lm.vocabulary.decode(row))
    return sentences
