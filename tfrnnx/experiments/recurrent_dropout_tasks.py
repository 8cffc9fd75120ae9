"""Pieces the thesis' chapter 3 sequence-task scripts share (NER, Twitter sentiment).

- `recurrent_layer`: a tfrnnx recurrent-dropout layer for a thesis scheme (ours / Gal /
  Moon) and mask sampling;
- `static_word_vectors`: word2vec embeddings trained here with gensim (the thesis' pretrained
  word2vec vectors are not available offline), one row per vocabulary id;
- `decay_after`: the thesis' learning-rate schedule (x factor per epoch after an epoch);
- `positive_negative_f1`: SemEval's score, the mean of the positive and negative F1;
- `number_list`, `check_positive_flags`, `check_script_flags`: the scripts' flag checks.

gensim is imported only by `static_word_vectors` (the `bench` extra installs it).
"""

import hashlib
import json

import keras
import numpy as np

import tfrnnx

SCHEMES = ("none", "ours", "gal", "moon")
CELLS = ("rnn", "lstm", "gru")
_LAYERS = {"rnn": "RecurrentDropoutSimpleRNN", "lstm": "RecurrentDropoutLSTM",
           "gru": "RecurrentDropoutGRU"}


def scheme_mode(scheme, cell):
    """The `recurrent_dropout_mode` of a thesis scheme: ours drops the update g (in a
    vanilla RNN the whole state is the update, so h(t-1): thesis eq. 3.3.4), Gal h(t-1),
    Moon the cell (state)."""
    if scheme not in SCHEMES[1:]:
        raise ValueError(f"scheme must be one of {SCHEMES[1:]}. Received: scheme={scheme!r}")
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}. Received: cell={cell!r}")
    if scheme == "ours":
        return "hidden" if cell == "rnn" else "update"
    return {"gal": "hidden", "moon": "cell"}[scheme]


def recurrent_layer(cell, units, scheme="none", rate=0.0, sampling="per_step", seed=None, **kwargs):
    """A `tfrnnx.layers.RecurrentDropout{SimpleRNN,LSTM,GRU}` for `scheme` at `rate`."""
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}. Received: cell={cell!r}")
    layer_class = getattr(tfrnnx.layers, _LAYERS[cell])
    if scheme == "none" or rate == 0.0:
        return layer_class(units, seed=seed, **kwargs)
    return layer_class(units, recurrent_dropout=rate, recurrent_dropout_mode=scheme_mode(scheme, cell),
                       mask_sampling=sampling, seed=seed, **kwargs)


def static_word_vectors(sentences, words, dim=100, seed=0, epochs=5, window=5, workers=1):
    """word2vec (skip-gram) vectors trained on `sentences`, one row per id of `words`.

    Args:
        sentences: list of token lists to train on (lower-case them as `words` are).
        words: list of the vocabulary's tokens by id; ids without a vector (padding,
            unknown and rare words) get a small random row.
        dim, seed, epochs, window, workers: gensim `Word2Vec` settings (skip-gram).

    Returns:
        float32 `(len(words), dim)` matrix and the number of words that got a trained vector.
    """
    from gensim.models import Word2Vec  # the bench extra; only the chapter-3 scripts need it

    model = Word2Vec(sentences, vector_size=dim, window=window, min_count=2, sg=1, seed=seed,
                     workers=workers, epochs=epochs)
    rng = np.random.default_rng(seed)
    matrix = rng.uniform(-0.05, 0.05, (len(words), dim)).astype("float32")
    found = 0
    for index, word in enumerate(words):
        if word in model.wv.key_to_index:
            matrix[index] = model.wv[word]
            found += 1
    return matrix, found


def decay_after(learning_rate, start_epoch, factor):
    """Keras callback: `learning_rate` until `start_epoch`, then times `factor` per epoch."""
    def schedule(epoch, _):
        return float(learning_rate * factor ** max(0, epoch - start_epoch + 1))

    return keras.callbacks.LearningRateScheduler(schedule)


def positive_negative_f1(true_labels, predicted_labels, positive="positive", negative="negative"):
    """SemEval Twitter's score: the mean of the F1 of the positive and of the negative class."""
    true_labels, predicted_labels = np.asarray(true_labels), np.asarray(predicted_labels)
    if true_labels.shape != predicted_labels.shape or true_labels.ndim != 1:
        raise ValueError("true_labels and predicted_labels must be 1-D and of one length. "
                         f"Received: shapes {true_labels.shape} and {predicted_labels.shape}")
    scores = []
    for label in (positive, negative):
        hits = float(np.sum((predicted_labels == label) & (true_labels == label)))
        predicted, actual = float(np.sum(predicted_labels == label)), float(np.sum(true_labels == label))
        scores.append(2 * hits / (predicted + actual) if predicted + actual else 0.0)
    return float(np.mean(scores))


def number_list(parser, flag, text, kind, distinct=True):
    """Comma-separated numbers of `kind`, or a usage error naming the flag and the value;
    with `distinct`, a repeated value is an error too."""
    try:
        values = [kind(item) for item in text.split(",")]
    except ValueError:
        parser.error(f"{flag} must be comma-separated {kind.__name__}s. Received: {text!r}")
    if distinct and len(set(values)) != len(values):
        parser.error(f"{flag} must not repeat a value. Received: {text!r}")
    return values


def check_positive_flags(parser, args, positive):
    """`parser.error` naming the first flag among `positive` whose value is below 1."""
    for name in positive:
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be a positive integer. "
                         f"Received: {getattr(args, name)}")


def check_script_flags(parser, args, positive):
    """`parser.error`s for a non-positive flag among `positive` or a missing `--data-dir`."""
    check_positive_flags(parser, args, positive)
    if not args.data_dir:
        parser.error("--data-dir (or $TFRNNX_DATA_DIR) is required")


def settings_digest(args, names):
    """Ten hex digits naming the values of `names` in `args`: a cached run's settings."""
    settings = {name: getattr(args, name) for name in names}
    return hashlib.sha1(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:10]
