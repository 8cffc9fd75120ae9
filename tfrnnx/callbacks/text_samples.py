"""TextSamples: TensorBoard text summaries of a text model's samples after every epoch."""

import keras
import numpy as np
import tensorflow as tf

from tfrnnx._validation import check_integer


@keras.saving.register_keras_serializable(package="tfrnnx")
class TextSamples(keras.callbacks.Callback):
    """Writes `tf.summary.text` samples (and reconstructions) of a text model each epoch.

    After every `every_n_epochs` epochs it calls `model.sample(num_samples, seed=seed)`
    (the same latent codes each time, so the summaries show how decoding evolves) and,
    if `reference_tokens` are given, `model.reconstruct(reference_tokens)`; token ids are
    turned into strings with `vocabulary` and written under the tags `samples` and
    `reconstructions` (a markdown table: input | reconstruction) in `log_dir`. With
    `vocabulary=None` the model decodes its own samples with `model.sample_strings(n,
    seed=seed)` (the text GANs: `WGANGPText`, `SeqGAN`, `LeakGAN`). The scalars
    of all loss terms are in the `fit` logs and go to TensorBoard with
    `keras.callbacks.TensorBoard`. Read them back with `tensorboard --logdir log_dir`
    (Text tab) or `EventAccumulator(...).Tensors("samples")`.

    Args:
        log_dir: directory of the summary files (e.g. `<tensorboard dir>/samples`).
        vocabulary: list of token strings by id, or None for models with `sample_strings`.
        num_samples: number of sampled sequences.
        reference_tokens: optional int array `(batch, sequence_length)` to reconstruct.
        separator: string joined between tokens ("" for characters, " " for words).
        seed: integer seed of the sampled latent codes.
        every_n_epochs: write every this many epochs.

    Example:

    >>> import tempfile, numpy as np, tfrnnx, tfrnnx.callbacks
    >>> vae = tfrnnx.models.LSTMTextVAE(vocab_size=3, sequence_length=4, latent_dim=2,
    ...     encoder_units=4, decoder_units=4, embedding_dim=4, seed=0)
    >>> vae.compile(optimizer="adam")
    >>> samples = tfrnnx.callbacks.TextSamples(tempfile.mkdtemp(), ["a", "b", "c"],
    ...     num_samples=2, reference_tokens=np.zeros((1, 4), "int32"))
    >>> _ = vae.fit(np.zeros((4, 4), "int32"), epochs=1, callbacks=[samples], verbose=0)
    >>> len(samples.last_samples)
    2

    References:
        Semeniuta, Severyn, Barth (2017), "A Hybrid Convolutional Variational Autoencoder
        for Text Generation", EMNLP (samples as in Table 5.1 of the thesis).
    """

    def __init__(self, log_dir, vocabulary=None, num_samples=4, reference_tokens=None, separator="",
                 seed=0, every_n_epochs=1):
        super().__init__()
        check_integer("num_samples", num_samples)
        check_integer("every_n_epochs", every_n_epochs)
        if vocabulary is not None:
            vocabulary = list(vocabulary)
            if not vocabulary:
                raise ValueError("vocabulary must not be empty. Received: vocabulary=[]")
        if vocabulary is None and reference_tokens is not None:
            raise ValueError(
                "reference_tokens need a vocabulary to be shown. Received: vocabulary=None"
            )
        self.log_dir = log_dir
        self.vocabulary = vocabulary
        self.num_samples = num_samples
        self.reference_tokens = None if reference_tokens is None else np.asarray(reference_tokens)
        self.separator = separator
        self.seed = int(seed)
        self.every_n_epochs = every_n_epochs
        self.last_samples = []
        self._writer = None

    def to_text(self, tokens):
        """Strings of an int array `(batch, length)` of ids."""
        tokens = np.asarray(tokens)
        return [self.separator.join(self.vocabulary[i] for i in row) for row in tokens]

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.log_dir)
        if self.vocabulary is None:
            if not hasattr(self.model, "sample_strings"):
                raise ValueError(
                    "vocabulary=None needs a model with sample_strings(n, seed). Received: "
                    f"a model of type {type(self.model).__name__}"
                )
            self.last_samples = self.model.sample_strings(self.num_samples, seed=self.seed)
        else:
            self.last_samples = self.to_text(self.model.sample(self.num_samples, seed=self.seed))
        with self._writer.as_default(step=epoch):
            tf.summary.text("samples", "\n\n".join(f"`{s}`" for s in self.last_samples))
            if self.reference_tokens is not None:
                outputs = self.to_text(self.model.reconstruct(self.reference_tokens))
                rows = [
                    f"| `{a}` | `{b}` |"
                    for a, b in zip(self.to_text(self.reference_tokens), outputs)
                ]
                tf.summary.text(
                    "reconstructions", "\n".join(["| input | reconstruction |", "|---|---|"] + rows)
                )
        self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def get_config(self):
        return {
            "log_dir": self.log_dir,
            "vocabulary": self.vocabulary,
            "num_samples": self.num_samples,
            "reference_tokens": None if self.reference_tokens is None
            else self.reference_tokens.tolist(),
            "separator": self.separator,
            "seed": self.seed,
            "every_n_epochs": self.every_n_epochs,
        }
