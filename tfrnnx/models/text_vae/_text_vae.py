"""Shared machinery of the tfrnnx text VAEs (`HybridTextVAE`, `LSTMTextVAE`).

Private module: the KL-annealing schedule, the collapse monitors (active units, mutual
information estimate), input validation, the loss of thesis eq. 5.3.4, the training and
evaluation steps, the generation/interpolation entry points and the SavedModel export are
written once here; the two public models only define their encoder and decoder.
"""

import math

import keras
import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp
from keras import ops

from tfrnnx._validation import check_integer
from tfrnnx._validation import check_number
from tfrnnx._validation import check_rate
from tfrnnx._validation import check_seed
from tfrnnx._validation import check_token_array
from tfrnnx._validation import check_token_batch
from tfrnnx._validation import derived_seed
from tfrnnx.models._serving import write_saved_model
from tfrnnx.models._training import apply_update
from tfrnnx.models._training import scaled_loss
from tfrnnx.models.text_vae.kl_schedule import linear_kl_weight
from tfrnnx.samplers import GreedySampler
from tfrnnx.tokenizers.character_vocabulary import CharacterVocabulary
from tfrnnx.samplers import RandomSampler

tfd = tfp.distributions

LN2 = math.log(2.0)
ACTIVE_UNIT_THRESHOLD = 0.01

METRIC_NAMES = (
    "loss", "rec", "kl", "aux", "bits_per_token", "kl_bits", "elbo_bits_per_token",
    "beta", "active_units", "mutual_info",
)


def check_annealing(kl_annealing):
    """Validates `(start_step, duration_steps)` or None; returns a tuple or None."""
    if kl_annealing is None:
        return None
    try:
        start, duration = (int(v) for v in kl_annealing)
        ok = all(float(v) == int(v) for v in kl_annealing) and start >= 0 and duration >= 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(
            "kl_annealing must be None or (start_step, duration_steps) with two non-negative "
            f"integers. Received: kl_annealing={kl_annealing!r}"
        )
    return (start, duration)


def active_units(mean, threshold=ACTIVE_UNIT_THRESHOLD):
    """Number of latent units whose posterior mean varies across the batch (> threshold).

    Burda et al. (2016): A_u = Var_x(E_q(z|x)[z_u]) > 0.01.
    """
    variance = ops.var(ops.cast(mean, "float32"), axis=0)
    return ops.sum(ops.cast(variance > threshold, "float32"))


def mutual_information(mean, log_var, z):
    """Minibatch estimate of I(x; z) under q (Hoffman & Johnson 2016; He et al. 2019).

    I(x; z) = E_x[KL(q(z|x) || q(z))] with the aggregate posterior q(z) = E_x q(z|x).
    With one sample z_i ~ q(z|x_i) per example of a batch of B,
    I ≈ 1/B Σ_i [log q(z_i|x_i) - log(1/B Σ_j q(z_i|x_j))], the inner mean computed with
    log-sum-exp. The estimate is biased and bounded above by log B nats: it is a monitor
    of collapse (it falls to ~0 when q(z|x) stops depending on x), not a precise value.
    """
    mean, log_var, z = (ops.cast(t, "float32") for t in (mean, log_var, z))
    batch = ops.cast(ops.shape(mean)[0], "float32")
    # log q(z_i | x_j) for every pair: (B_i, B_j).
    diff = z[:, None, :] - mean[None, :, :]
    log_density = -0.5 * ops.sum(
        diff * diff * ops.exp(-log_var[None]) + log_var[None] + math.log(2 * math.pi), axis=-1
    )
    log_conditional = ops.diagonal(log_density)
    log_aggregate = ops.logsumexp(log_density, axis=1) - ops.log(batch)
    return ops.mean(log_conditional - log_aggregate)


class TextVAEBase(keras.Model):
    """Base of the text VAEs: subclasses define the encoder and the decoder.

    Subclasses implement `posterior_parameters(tokens, training)` -> (mean, log_var),
    `decoder_logits(z, tokens, training)` -> (logits, aux_logits or None) with teacher
    forcing, and `generate(z, greedy, seed)` -> int32 tokens.
    """

    def __init__(
        self, vocab_size, sequence_length, latent_dim, aux_weight, word_dropout, kl_annealing,
        seed, **kwargs,
    ):
        super().__init__(**kwargs)
        self.vocab_size = check_integer("vocab_size", vocab_size)
        self.sequence_length = check_integer("sequence_length", sequence_length)
        self.latent_dim = check_integer("latent_dim", latent_dim)
        self.aux_weight = check_number("aux_weight", aux_weight, low=0)
        self.word_dropout = check_rate("word_dropout", word_dropout, include_one=True)
        self.kl_annealing = check_annealing(kl_annealing)
        self.seed = check_seed("seed", seed)
        # Decoder input ids beyond the vocabulary: start-of-sequence and dropped word.
        self.start_id = self.vocab_size
        self.unk_id = self.vocab_size + 1
        self.seed_generator = keras.random.SeedGenerator(seed, name="seed_generator")
        initial_beta = 1.0 if self.kl_annealing is None else float(
            linear_kl_weight(0, *self.kl_annealing)
        )
        self.beta = self.add_weight(
            shape=(), initializer=keras.initializers.Constant(initial_beta), trainable=False,
            name="beta", aggregation="only_first_replica",
        )
        self.annealing_step = self.add_weight(
            shape=(), initializer="zeros", dtype="int64", trainable=False,
            name="annealing_step", aggregation="only_first_replica",
        )
        self._trackers = {name: keras.metrics.Mean(name=name) for name in METRIC_NAMES}

    # -- helpers for subclasses ------------------------------------------------------

    def seeded(self, offset):
        return derived_seed(self.seed, offset)

    def decoder_inputs(self, tokens, training):
        """Teacher-forcing inputs: tokens shifted right behind the start id, with word dropout."""
        tokens = ops.cast(tokens, "int32")
        start = ops.full((ops.shape(tokens)[0], 1), self.start_id, "int32")
        previous = ops.concatenate([start, tokens[:, :-1]], axis=1)
        if self.word_dropout >= 1.0:
            # Historyless decoding: every input is dropped, in training and at inference.
            return ops.full(ops.shape(previous), self.unk_id, "int32")
        if training and self.word_dropout > 0.0:
            keep = keras.random.uniform(ops.shape(previous), seed=self.seed_generator)
            previous = ops.where(keep < self.word_dropout, self.unk_id, previous)
        return previous

    def generation_input(self, token):
        """The id fed back during generation: the token, or the dropped-word id if p = 1."""
        if self.word_dropout >= 1.0:
            return ops.full(ops.shape(token), self.unk_id, "int32")
        return token

    def generate_with_lstm_cell(self, cell, step_input, state, greedy, seed):
        """Tokens `(batch, sequence_length)` decoded by `cell` from `state`, feeding back
        each token (the start id first): `step_input(t, embedded previous token)` gives the
        cell's input at step t."""
        batch = ops.shape(state[0])[0]

        def next_logits(ids, t, state):
            previous = tf.where(t > 0, ids[:, tf.maximum(t - 1, 0)], self.start_id)
            embedded = self.decoder_embedding(self.generation_input(previous))
            out, state = cell(step_input(t, embedded), list(state), training=False)
            return self.output_dense(out), tuple(state)

        ids = tf.zeros(tf.stack([batch, self.sequence_length]), tf.int32)
        return token_sampler(greedy)(next_logits, ids, start=0, state=tuple(state),
                                     seed=sequence_seed(seed))  # fmt: skip

    def posterior(self, mean, log_var):
        """q(z|x): diagonal Gaussian as a `tfp.distributions.MultivariateNormalDiag`."""
        return tfd.MultivariateNormalDiag(loc=mean, scale_diag=ops.exp(0.5 * log_var))

    # -- model API ---------------------------------------------------------------------

    def call(self, tokens, training=False):
        """Teacher-forced logits; z is the posterior mean unless training (then a sample)."""
        tokens = ops.cast(tokens, "int32")
        mean, log_var = self.posterior_parameters(tokens, training)
        z = self._sample_z(mean, log_var) if training else mean
        logits, _ = self.decoder_logits(z, tokens, training)
        return logits

    def _sample_z(self, mean, log_var):
        seed = self.seed_generator.next()
        # Reparameterized sample: gradients flow to mean and log_var.
        z = self.posterior(ops.cast(mean, "float32"), ops.cast(log_var, "float32")).sample(
            seed=ops.cast(seed, "int32")
        )
        return ops.cast(z, mean.dtype)

    def loss_terms(self, tokens, training=False):
        """Per-sequence terms of eq. 5.3.4 (nats) and the batch monitors.

        Returns a dict: `rec`, `kl`, `aux` of shape (batch,), `loss` (batch mean of
        rec + β·KL + α·aux), `mean`, `log_var`, `z`, `logits`, `aux_logits`.
        """
        tokens = ops.cast(tokens, "int32")
        mean, log_var = self.posterior_parameters(tokens, training)
        mean32, log_var32 = ops.cast(mean, "float32"), ops.cast(log_var, "float32")
        z = self._sample_z(mean, log_var)
        logits, aux_logits = self.decoder_logits(z, tokens, training)
        rec = ops.sum(
            keras.losses.sparse_categorical_crossentropy(
                tokens, ops.cast(logits, "float32"), from_logits=True
            ), axis=-1,
        )
        if aux_logits is None:
            aux = ops.zeros_like(rec)
        else:
            aux = ops.sum(
                keras.losses.sparse_categorical_crossentropy(
                    tokens, ops.cast(aux_logits, "float32"), from_logits=True
                ), axis=-1,
            )
        posterior = self.posterior(mean32, log_var32)
        prior = tfd.MultivariateNormalDiag(
            loc=ops.zeros_like(mean32), scale_diag=ops.ones_like(mean32)
        )
        kl = tfd.kl_divergence(posterior, prior)
        beta = ops.convert_to_tensor(self.beta)
        loss = ops.mean(rec + beta * kl + self.aux_weight * aux)
        return {
            "loss": loss, "rec": rec, "kl": kl, "aux": aux, "mean": mean32,
            "log_var": log_var32, "z": ops.cast(z, "float32"), "logits": logits,
            "aux_logits": aux_logits,
        }

    def _update_metrics(self, terms):
        length = float(self.sequence_length)
        rec, kl = ops.mean(terms["rec"]), ops.mean(terms["kl"])
        values = {
            "loss": terms["loss"],
            "rec": rec,
            "kl": kl,
            "aux": ops.mean(terms["aux"]),
            "bits_per_token": rec / (length * LN2),
            "kl_bits": kl / LN2,
            "elbo_bits_per_token": (rec + kl) / (length * LN2),
            "beta": ops.convert_to_tensor(self.beta),
            "active_units": active_units(terms["mean"]),
            "mutual_info": mutual_information(terms["mean"], terms["log_var"], terms["z"]),
        }
        for name, value in values.items():
            self._trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self._trackers.items()}

    @property
    def metrics(self):
        return list(self._trackers.values())

    def _tokens_of(self, data):
        while isinstance(data, (tuple, list)):
            data = data[0]
        return check_token_batch("x", data, self.vocab_size, self.sequence_length)

    def train_step(self, data):
        tokens = self._tokens_of(data)
        if self.kl_annealing is not None:
            self.beta.assign(linear_kl_weight(self.annealing_step, *self.kl_annealing))
        with tf.GradientTape() as tape:
            terms = self.loss_terms(tokens, training=True)
            loss = terms["loss"]
            if self.losses:
                loss = loss + ops.sum(self.losses)
            scaled = scaled_loss(self.optimizer, loss)
        apply_update(self.optimizer, tape, scaled, self.trainable_variables)
        self.annealing_step.assign_add(1)
        return self._update_metrics(terms)

    def test_step(self, data):
        tokens = self._tokens_of(data)
        return self._update_metrics(self.loss_terms(tokens, training=False))

    # -- eager entry points ------------------------------------------------------------

    def _checked(self, tokens, name="tokens"):
        return check_token_array(name, tokens, self.vocab_size, self.sequence_length)

    def encode(self, tokens):
        """Posterior parameters `(mean, log_var)`, each `(batch, latent_dim)`, of `tokens`."""
        tokens = self._checked(tokens)
        return self.posterior_parameters(ops.convert_to_tensor(tokens, "int32"), False)

    def decode(self, z, greedy=True, seed=None):
        """Tokens `(batch, sequence_length)` generated from latent codes `z`."""
        z = ops.convert_to_tensor(z, self.compute_dtype)
        if len(z.shape) != 2 or z.shape[-1] != self.latent_dim:
            raise ValueError(
                f"z must have shape (batch, latent_dim={self.latent_dim}). "
                f"Received: z with shape {tuple(z.shape)}"
            )
        if seed is None:
            seed = keras.random.randint((), 0, 2**31 - 1, seed=self.seed_generator)
        return self.generate(z, greedy, ops.cast(seed, "int32"))

    def reconstruct(self, tokens, greedy=True, seed=None):
        """Decodes the posterior mean of each sequence of `tokens`; int32 `(batch, length)`."""
        mean, _ = self.encode(tokens)
        return self.decode(mean, greedy=greedy, seed=seed)

    def sample(self, n, greedy=True, seed=None):
        """`n` sequences decoded from z ~ N(0, I); same `seed` -> same sequences."""
        n = check_integer("n", n)
        if seed is None:
            seed = int(keras.random.randint((), 0, 2**31 - 1, seed=self.seed_generator))
        z = tf.random.stateless_normal((n, self.latent_dim), seed=[seed, 0])
        return self.decode(z, greedy=greedy, seed=seed + 1)

    def interpolate(self, a, b, steps=5):
        """Greedy decodings along the line between the posterior means of `a` and `b`.

        `a`, `b`: one sequence each, `(sequence_length,)` or `(1, sequence_length)`.
        Returns int32 `(steps, sequence_length)`; the first and last rows decode a and b.
        """
        steps = check_integer("steps", steps)
        codes = []
        for name, sequence in (("a", a), ("b", b)):
            array = np.asarray(sequence)
            if array.ndim == 1:
                array = array[None]
            mean, _ = self.posterior_parameters(
                ops.convert_to_tensor(self._checked(array, name), "int32"), False
            )
            codes.append(mean[:1])
        weights = ops.reshape(ops.linspace(0.0, 1.0, steps), (steps, 1))
        z = (1.0 - weights) * codes[0] + weights * codes[1]
        return self.decode(z, greedy=True, seed=0)

    # -- serving -------------------------------------------------------------------------

    def export(self, filepath, format="tf_saved_model", verbose=True, input_signature=None,
               vocabulary=None, **kwargs):
        """`export_serving` for `format="tf_saved_model"`; other formats go to Keras."""
        if format != "tf_saved_model":
            return super().export(filepath, format=format, verbose=verbose,
                                  input_signature=input_signature, **kwargs)
        return self.export_serving(filepath, vocabulary=vocabulary, verbose=verbose,
                                   input_signature=input_signature)  # fmt: skip

    def export_serving(self, filepath, vocabulary=None, verbose=False, input_signature=None):
        """Writes a SavedModel with `serve`, `encode`, `reconstruct` and `sample` endpoints.

        `serve(tokens)` -> teacher-forced logits; `encode(tokens)` -> {mean, log_var};
        `reconstruct(tokens)` -> greedy tokens; `sample(n, seed)` -> n greedy decodings of
        z ~ N(0, I). Tokens are int32 `(batch, sequence_length)`.

        With `vocabulary` (a `tfrnnx.tokenizers.CharacterVocabulary` of `vocab_size`
        characters, or the list of its characters, id -> char) the export also has text-in/text-out endpoints for character models:
        `encode_text(strings)`, `reconstruct_text(strings)` -> strings and
        `sample_text(n, seed)` -> strings. UTF-8 strings are split into characters inside
        the graph with core TF ops (`tf.strings.unicode_decode`, the operation behind
        `tensorflow_text.UnicodeCharTokenizer`), so serving needs no TF-Text ops; a string
        whose length is not `sequence_length` or that holds a character outside the
        vocabulary fails with an `InvalidArgumentError` naming the problem.
        Returns `filepath`.
        """
        tokens_spec = input_signature or [
            tf.TensorSpec((None, self.sequence_length), tf.int32, name="tokens")
        ]
        count_and_seed = [
            tf.TensorSpec((), tf.int32, name="n"), tf.TensorSpec((), tf.int32, name="seed")
        ]

        def reconstruct(tokens):
            return self.generate(self.posterior_parameters(tokens, False)[0], True, tf.constant(0))

        def sample(n, seed):
            z = tf.random.stateless_normal(tf.stack([n, self.latent_dim]), seed=tf.stack([seed, 0]))
            return self.generate(ops.cast(z, self.compute_dtype), True, seed + 1)

        endpoints = {
            "serve": (lambda t: self(t, training=False), tokens_spec),
            "encode": (
                lambda t: dict(zip(("mean", "log_var"), self.posterior_parameters(t, False))),
                tokens_spec,
            ),
            "reconstruct": (reconstruct, tokens_spec),
            "sample": (sample, count_and_seed),
        }
        if vocabulary is not None:
            to_tokens, to_strings = self._character_codec(vocabulary)
            text_spec = [tf.TensorSpec((None,), tf.string, name="strings")]
            endpoints.update({
                "encode_text": (
                    lambda s: dict(zip(("mean", "log_var"),
                                       self.posterior_parameters(to_tokens(s), False))),
                    text_spec,
                ),
                "reconstruct_text": (lambda s: to_strings(reconstruct(to_tokens(s))), text_spec),
                "sample_text": (lambda n, seed: to_strings(sample(n, seed)), count_and_seed),
            })  # fmt: skip
        return write_saved_model(self, filepath, endpoints, verbose=verbose)

    def _character_codec(self, vocabulary):
        """Graph functions strings -> token ids and token ids -> strings of a char vocabulary."""
        if not isinstance(vocabulary, CharacterVocabulary):
            try:
                vocabulary = CharacterVocabulary(vocabulary)
            except (TypeError, ValueError):
                vocabulary = None
        if vocabulary is None or len(vocabulary) != self.vocab_size:
            shown = None if vocabulary is None else vocabulary.characters[:20]
            raise ValueError(
                f"vocabulary must list vocab_size={self.vocab_size} distinct single characters. "
                f"Received: vocabulary={shown!r} ({0 if shown is None else len(vocabulary)} entries)"
            )
        length = self.sequence_length
        return (lambda strings: vocabulary(strings, sequence_length=length)), vocabulary.detokenize

    def common_config(self):
        return {
            "vocab_size": self.vocab_size,
            "sequence_length": self.sequence_length,
            "latent_dim": self.latent_dim,
            "aux_weight": self.aux_weight,
            "word_dropout": self.word_dropout,
            "kl_annealing": None if self.kl_annealing is None else list(self.kl_annealing),
            "seed": self.seed,
        }


def token_sampler(greedy):
    """The `tfrnnx.samplers` sampler of a decode: greedy (argmax) or random."""
    return GreedySampler() if greedy else RandomSampler()


def sequence_seed(seed):
    """The int64 `(2,)` sampler seed of an integer (scalar tensor) decode seed."""
    return tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)])
