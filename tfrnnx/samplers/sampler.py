"""Sampler: the one seeded, graph-safe token-by-token generation loop of tfrnnx."""

import keras
import numpy as np
import tensorflow as tf

from tfrnnx._validation import check_integer
from tfrnnx.tokenizers.special_ids import PAD_ID

def banned_logits(vocab_size, length, banned_ids=(), end_id=None, force_end=False,
                  value=-np.inf):  # fmt: skip
    """`(length, vocab_size)` float32 additive penalty: 0, or `value` where banned.

    Row `t` bans `banned_ids`; with `force_end`, the last row bans everything but `end_id`.
    The sampler bans with -inf (a banned id is never drawn, however large its logit); a
    log-likelihood that multiplies masked positions by 0 needs a finite `value`.
    """
    if len(set(banned_ids) - {end_id}) >= vocab_size - (end_id is not None):
        raise ValueError(f"banned_ids must leave at least one id to draw. Received: "
                         f"banned_ids={list(banned_ids)} for a vocabulary of {vocab_size}")
    penalty = np.zeros((length, vocab_size), "float32")
    penalty[:, list(banned_ids)] = value
    if force_end:
        penalty[-1, :] = value
        penalty[-1, end_id] = 0.0
    return penalty


@keras.saving.register_keras_serializable(package="tfrnnx")
class Sampler:
    """Base of the samplers: fills a token buffer one position at a time.

    Every tfrnnx generator (the language model, the discrete GANs, the text VAEs' decoders)
    generates through this loop, a `tf.while_loop` that runs in graphs, `tf.function` and
    exported SavedModels. At each position `t` from `start` on it asks the model for the
    next token's logits, adds the penalty of banned ids (and, with `force_end`, bans all
    but `end_id` at the last position), and lets the subclass choose the token
    (`get_next_token`). Positions before `prefix_lengths` keep the given tokens (the model
    still reads them, so a recurrent state sees the prefix); after a row's `end_id` the
    row is filled with `pad_id`, and the loop stops once every row has ended.
    Subclasses: `GreedySampler` (argmax) and `RandomSampler` (softmax with temperature).

    Call arguments:
        next_logits: function `(ids, t, state) -> (logits, state)`: the logits
            `(batch, vocab)` of the token at position `t`, given the buffer `ids`
            `(batch, length)` (positions `< t` are filled) and the loop state.
        ids: int `(batch, length)` buffer with a static `length`; positions `< start`
            (and `< prefix_lengths`) hold the given tokens, the rest is overwritten.
        start: first position to generate (e.g. 1 after a `<bos>` at position 0).
        state: nested structure of tensors carried through the loop (e.g. LSTM state),
            or `()`.
        prefix_lengths: optional int `(batch,)`: row `i` keeps its first
            `prefix_lengths[i]` tokens.
        banned_ids: ids never drawn.
        end_id: id that ends a row, or None (rows run to `length`).
        force_end: whether the last position may only hold `end_id`.
        pad_id: id written after a row's end.
        seed: int `(2,)` seed tensor of this call; None draws one from the sampler's
            `keras.random.SeedGenerator`. The draw at position `t` is seeded by
            `tf.random.experimental.stateless_fold_in(seed, t)`: the same seed gives the
            same tokens, in eager code, graphs and SavedModels alike.

    Returns:
        int32 `(batch, length)` ids.

    Example:

    >>> import numpy as np, tensorflow as tf
    >>> import tfrnnx
    >>> logits = tf.constant(np.eye(6, dtype="float32") * 9.0)  # position t likes id t
    >>> fake = lambda ids, t, state: (tf.tile(logits[t][None], [2, 1]), state)
    >>> ids = tfrnnx.samplers.GreedySampler()(fake, tf.fill([2, 6], 2), start=1, end_id=3)
    >>> ids.numpy().tolist()
    [[2, 1, 2, 3, 0, 0], [2, 1, 2, 3, 0, 0]]

    References:
        keras-hub's `keras_hub.samplers.Sampler` (the design this follows).
    """

    def __call__(self, next_logits, ids, start=1, state=(), prefix_lengths=None, banned_ids=(),
                 end_id=None, force_end=False, pad_id=PAD_ID, seed=None):  # fmt: skip
        ids = tf.cast(tf.convert_to_tensor(ids), tf.int32)
        length = ids.shape[1]
        if length is None:
            raise ValueError(f"ids must have a static length. Received: ids of shape {ids.shape}")
        start = check_integer("start", start, 0)
        if force_end and end_id is None:
            raise ValueError("force_end needs an end_id. Received: end_id=None")
        seed = tf.cast(self._seed() if seed is None else seed, tf.int64)
        batch = tf.shape(ids)[0]
        positions = tf.range(length)[None, :]
        if prefix_lengths is None:
            prefix_lengths = tf.fill(tf.reshape(batch, (1,)), start)
        prefix_lengths = tf.cast(prefix_lengths, tf.int32)
        ids = tf.where(positions < prefix_lengths[:, None], ids, pad_id)
        penalties = {}

        def body(t, ids, done, state):
            logits, state = next_logits(ids, t, state)
            logits = self.scaled_logits(tf.cast(logits, tf.float32))
            if not penalties:  # the vocabulary size is known once the model has answered
                penalties["all"] = tf.constant(banned_logits(
                    logits.shape[-1], length, banned_ids, end_id, force_end))  # fmt: skip
            logits += penalties["all"][t]
            token = self.get_next_token(logits, tf.random.experimental.stateless_fold_in(seed, t))
            token = tf.where(t < prefix_lengths, ids[:, t], token)
            if end_id is not None:
                token = tf.where(done, pad_id, token)
                done = done | tf.equal(token, end_id)
            return t + 1, tf.where(positions == t, token[:, None], ids), done, state

        def running(t, ids, done, state):
            return (t < length) & ~tf.reduce_all(done)

        done = tf.zeros(tf.reshape(batch, (1,)), tf.bool)
        _, ids, _, _ = tf.while_loop(running, body, (tf.constant(start), ids, done, state))
        return ids

    def scaled_logits(self, logits):
        """The logits the choice is made on (identity; `RandomSampler` divides by its
        temperature)."""
        return logits

    def get_next_token(self, logits, seed):
        """int32 `(batch,)` tokens chosen from float32 `logits` `(batch, vocab)`, seeded by
        the int64 `(2,)` `seed`."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_next_token")

    def _seed(self):
        return tf.zeros((2,), tf.int64)

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
