"""LanguageModel: a word-level LSTM language model (thesis §5.6 LM and reverse-LM scores)."""

import keras
from keras import ops

from tfrnnx._validation import check_integer
from tfrnnx._validation import check_rate
from tfrnnx._validation import check_seed
from tfrnnx._validation import derived_seed
from tfrnnx.layers import RecurrentDropoutLSTM
from tfrnnx.tokenizers._resolve import resolve_vocabulary
from tfrnnx.tokenizers.special_ids import NEVER_GENERATED_IDS


@keras.saving.register_keras_serializable(package="tfrnnx")
class LanguageModel(keras.Model):
    """LSTM language model over words or subwords: Embedding -> RecurrentDropoutLSTM -> Dense.

    The model maps `(batch, time)` token ids (`<pad>` = 0, see `WordVocabulary`) to
    next-token logits `(batch, time, vocab)`. Training needs no targets: with `y=None`
    the loss is the mean negative log-likelihood of `ids[:, 1:]` given `ids[:, :-1]`
    over the non-padding targets, so `lm.fit(ids)` trains it on id sequences framed by
    `<bos>`/`<eos>` (`vocabulary.encode(sentences, add_bos_eos=True)`, then
    `vocabulary.pad`). `exp` of that loss is the perplexity; the scores of
    `tfrnnx.metrics.lm_score` / `reverse_lm_score` are computed with it.

    Args:
        vocabulary: a `tfrnnx.tokenizers.WordVocabulary` or
            `tfrnnx.tokenizers.SentencePieceVocabulary` (or its config, serialized or plain,
            or a list of words); it sets the input and output size and lets the model
            score strings.
        embedding_dim: positive integer, size of the word embeddings.
        units: positive integer, size of the LSTM state.
        dropout: rate in [0, 1) of the dropout on the LSTM inputs.
        recurrent_dropout: rate in [0, 1) of the recurrent dropout on the cell update
            (Semeniuta et al. 2016).
        seed: integer seed of the weight initializers and dropout masks, or None.
        **kwargs: base `keras.Model` arguments (`name`, ...).

    Call arguments:
        ids: int `(batch, time)` token ids, 0 for padding.
        training: whether dropout is active.

    Returns:
        Logits `(batch, time, len(vocabulary))` of the next token at every position.

    Example:

    >>> import tfrnnx
    >>> vocab = tfrnnx.tokenizers.WordVocabulary.build(["a cat sat", "a dog sat"])
    >>> lm = tfrnnx.models.LanguageModel(vocab, embedding_dim=8, units=8, seed=0)
    >>> ids = vocab.pad(vocab.encode(["a cat sat"], add_bos_eos=True))
    >>> lm(ids).shape
    TensorShape([1, 5, 8])

    References:
        Semeniuta, Severyn, Gelly (2018), "On Accurate Evaluation of GANs for Language
        Generation"; thesis §5.6.
    """

    def __init__(
        self, vocabulary, embedding_dim=64, units=128, dropout=0.0, recurrent_dropout=0.0,
        seed=None, **kwargs,
    ):
        super().__init__(**kwargs)
        vocabulary = resolve_vocabulary(vocabulary)
        self.vocabulary = vocabulary
        self.embedding_dim = check_integer("embedding_dim", embedding_dim)
        self.units = check_integer("units", units)
        self.dropout = check_rate("dropout", dropout)
        self.recurrent_dropout = check_rate("recurrent_dropout", recurrent_dropout)
        self.seed = check_seed("seed", seed)
        self.sampling_seed_generator = keras.random.SeedGenerator(derived_seed(seed, 5))
        size = len(vocabulary)
        self.embedding = keras.layers.Embedding(
            size,
            embedding_dim,
            mask_zero=True,
            embeddings_initializer=keras.initializers.RandomUniform(
                -0.1, 0.1, seed=derived_seed(seed, 0)
            ),
            name="embedding",
        )
        self.lstm = RecurrentDropoutLSTM(
            units, return_sequences=True, dropout=dropout, recurrent_dropout=recurrent_dropout,
            kernel_initializer=keras.initializers.GlorotUniform(seed=derived_seed(seed, 1)),
            recurrent_initializer=keras.initializers.Orthogonal(seed=derived_seed(seed, 2)),
            seed=derived_seed(seed, 3), name="lstm",
        )
        self.logits = keras.layers.Dense(
            size,
            kernel_initializer=keras.initializers.GlorotUniform(seed=derived_seed(seed, 4)),
            name="logits",
        )

    def build(self, input_shape):
        batch, time = tuple(input_shape)[:2]
        self.embedding.build((batch, time))
        self.lstm.build((batch, time, self.embedding_dim))
        self.logits.build((batch, time, self.units))
        self.built = True

    def call(self, ids, training=None):
        ids = ops.cast(ids, "int32")
        x = self.embedding(ids)
        mask = ops.not_equal(ids, 0)
        h = self.lstm(x, mask=mask, training=training)
        return self.logits(h)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Mean next-token NLL over non-padding targets (`y` defaults to `x` shifted by one)."""
        logits = ops.cast(y_pred, "float32")
        if y is None:
            targets, logits = ops.cast(x, "int32")[:, 1:], logits[:, :-1]
        else:
            targets = ops.cast(y, "int32")
        nll = keras.losses.sparse_categorical_crossentropy(targets, logits, from_logits=True)
        weights = ops.cast(ops.not_equal(targets, 0), "float32")
        if sample_weight is not None:
            weights = weights * ops.cast(ops.reshape(sample_weight, (-1, 1)), "float32")
        loss = ops.sum(nll * weights) / ops.maximum(ops.sum(weights), 1.0)
        if self.losses:
            loss = loss + ops.sum(ops.stack([ops.cast(l, "float32") for l in self.losses]))
        return loss

    def sample_ids(self, num_samples, max_length=40, temperature=1.0, seed=None):
        """Graph-compatible ancestral sampling: int32 `(num_samples, max_length + 2)` ids.

        Rows are framed like the training data: `<bos>`, at most `max_length` tokens, one
        `<eos>`, then `<pad>`; `<pad>`, `<unk>` and `<bos>` are never drawn. The tokens
        come from `tfrnnx.samplers.RandomSampler(temperature)`. `seed`: an integer, an int
        `(2,)` tensor, or None for the next seed of the model's seed generator (so an
        exported model gives new sentences at every call). Each step reruns the model on
        the prefix (the LSTM state is not carried); fine for sentences.
        """
        import tensorflow as tf

        from tfrnnx.samplers import RandomSampler

        check_integer("max_length", max_length)
        if seed is None:
            seed = self.sampling_seed_generator.next()
        elif isinstance(seed, int):
            seed = tf.constant([check_seed("seed", seed), 0], tf.int64)
        vocabulary = self.vocabulary
        num_samples = tf.convert_to_tensor(num_samples, tf.int32)
        ids = tf.fill(tf.stack([num_samples, max_length + 2]), vocabulary.bos_id)

        def next_logits(ids, t, state):
            return self(ids[:, :t], training=False)[:, -1], state

        return RandomSampler(temperature)(
            next_logits, ids, start=1, banned_ids=NEVER_GENERATED_IDS,
            end_id=vocabulary.eos_id, force_end=True, seed=seed,
        )

    def export_serving(self, filepath, max_length=40):
        """Writes a SavedModel whose `serve` signature (also `serving_default`) maps an int32
        scalar `num_samples` to `{"token_ids": int32 (n, max_length + 2), "sentences":
        string (n,)}`, sampled by `sample_ids` and detokenized in the graph."""
        from tfrnnx.models._serving import SCALAR_COUNT
        from tfrnnx.models._serving import write_saved_model

        def serve(num_samples):
            ids = self.sample_ids(num_samples, max_length)
            return {"token_ids": ids, "sentences": self.vocabulary.detokenize(ids)}

        endpoints = {"serve": (serve, [SCALAR_COUNT])}
        return write_saved_model(self, filepath, endpoints)

    def get_config(self):
        config = {
            "vocabulary": keras.saving.serialize_keras_object(self.vocabulary),
            "embedding_dim": self.embedding_dim,
            "units": self.units,
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
