"""Support of the text-GAN comparison (thesis §5.6.4, Table 5.4) behind scripts/text_gan_protocol.py.

`prepare_corpus` splits real sentences into training and held-out reference sets and
tokenises them; `build_evaluator` gives the metric suite of issue 6 (unique 4-grams, BLEU-4,
self-BLEU-4, FD on MiniLM embeddings, LM score, reverse-LM score) against the references;
`make_trial_fn` turns one model name into the `trial_fn(hparams, seed, run_dir)` that
`tfrnnx.protocol` searches over: it trains the model, samples sentences, writes them to
`run_dir/samples.txt` and returns the metrics with the training and evaluation times.
"""

import dataclasses
import os
import time

import keras
import numpy as np
import tensorflow as tf

from tfrnnx.experiments._discrete_gan_trial import MODELS as DISCRETE_GAN_MODELS
from tfrnnx.experiments.text_metrics import evaluate_samples
from tfrnnx.io_utils import write_text_atomically
from tfrnnx.metrics import reverse_lm_score
from tfrnnx.models import LanguageModel
from tfrnnx.tokenizers import WordVocabulary
from tfrnnx.models.lm_sampling import sample_sentences

MODELS = ("lm", "conv_deconv", "conv_lstm", *DISCRETE_GAN_MODELS)
MODEL_TITLES = {
    "lm": "LM",
    "conv_deconv": "Conv-Deconv (WGAN-GP)",
    "conv_lstm": "Conv-LSTM (WGAN-GP)",
    "seqgan_reinforce": "SeqGAN-reinforce",
    "seqgan_step": "SeqGAN-step",
    "seqgan_rollout": "SeqGAN-rollout",
    "leakgan_leak": "LeakGAN-leak",
    "leakgan_noleak": "LeakGAN-noleak",
    "leakgan_mixed": "LeakGAN-mixed",
}
# The language model's search space (thesis: the LM gets the same budget as every GAN).
LM_SPACE = {
    "learning_rate": ("log_uniform", 1e-3, 3e-2),
    "embedding_dim": ("choice", [32, 64]),
    "units": ("choice", [64, 128]),
    "dropout": ("uniform", 0.0, 0.4),
    "recurrent_dropout": ("uniform", 0.0, 0.4),
}
METRIC_NAMES = ("unique4", "bleu4", "self_bleu4", "fd", "lm_score", "reverse_lm")


@dataclasses.dataclass
class Corpus:
    """Tokenised splits of a sentence corpus.

    `framed_ids`: `<bos> ... <eos>` then `<pad>`, width `max_tokens + 2` (language models and
    discrete GANs); `gan_ids`: the same without `<bos>`, width `max_tokens + 1` (WGAN-GP).
    """

    train: list
    references: list
    vocabulary: object
    framed_ids: np.ndarray
    gan_ids: np.ndarray
    max_tokens: int
    kept: int  # training sentences that passed the filter (before max_train)
    total: int


def _build_vocabulary(sentences, tokenizer, vocab_size, seed):
    if tokenizer == "word":
        return WordVocabulary.build(sentences, max_size=vocab_size - len(WordVocabulary.special_tokens))
    if tokenizer == "sentencepiece":
        from tfrnnx.tokenizers import SentencePieceVocabulary

        return SentencePieceVocabulary.build(sentences, vocab_size=vocab_size, seed=seed)
    raise ValueError(
        f"tokenizer must be 'word' or 'sentencepiece'. Received: tokenizer={tokenizer!r}"
    )


def prepare_corpus(sentences, num_references=1000, max_tokens=15, tokenizer="sentencepiece",
                   vocab_size=4000, max_train=None, seed=0):  # fmt: skip
    """Splits `sentences` at random into references and training sentences and tokenises them.

    The first `2 * num_references` sentences of a seeded shuffle are the reference
    candidates; the vocabulary is built on the other sentences only, and the references
    are the first `num_references` candidates that pass the filter (the rest are unused).
    Sentences longer than `max_tokens` tokens (under that vocabulary) or holding `<unk>` are
    dropped from both splits: generators never draw `<unk>`, so it must not mark real data.
    """
    valid = isinstance(num_references, int) and not isinstance(num_references, bool)
    if not (valid and 1 <= num_references and 3 * num_references <= len(sentences)):
        raise ValueError(
            f"num_references must be in [1, len(sentences) / 3 = {len(sentences) // 3}]. "
            f"Received: num_references={num_references!r}"
        )
    order = np.random.default_rng(seed).permutation(len(sentences))
    shuffled = [sentences[i] for i in order]
    candidates, rest = shuffled[: 2 * num_references], shuffled[2 * num_references :]
    vocabulary = _build_vocabulary(rest, tokenizer, vocab_size, seed)
    unk = vocabulary.unk_id

    def kept(split):
        encoded = vocabulary.encode(split)
        return [
            s for s, ids in zip(split, encoded) if 1 <= len(ids) <= max_tokens and unk not in ids
        ]

    references, train = kept(candidates), kept(rest)
    if len(references) < num_references:
        raise ValueError(
            f"only {len(references)} of {len(candidates)} reference candidates have 1 to "
            f"max_tokens={max_tokens} known tokens; lower num_references. Received: "
            f"num_references={num_references}"
        )
    references = references[:num_references]
    num_kept = len(train)
    if max_train is not None:
        train = train[:max_train]
    framed = vocabulary.pad(vocabulary.encode(train, add_bos_eos=True), length=max_tokens + 2)
    return Corpus(
        train=train, references=references, vocabulary=vocabulary, framed_ids=framed,
        gan_ids=np.ascontiguousarray(framed[:, 1:]), max_tokens=max_tokens, kept=num_kept,
        total=len(sentences),
    )


def train_lm(hparams, seed, run_dir, corpus, steps, batch_size=64):
    """A `LanguageModel` trained `steps` Adam steps on `corpus.framed_ids` (TensorBoard in run_dir)."""
    lm = LanguageModel(
        corpus.vocabulary,
        embedding_dim=int(hparams.get("embedding_dim", 64)),
        units=int(hparams.get("units", 128)),
        dropout=float(hparams.get("dropout", 0.0)),
        recurrent_dropout=float(hparams.get("recurrent_dropout", 0.0)),
        seed=seed,
    )
    dataset = (
        tf.data.Dataset.from_tensor_slices(corpus.framed_ids)
        .shuffle(len(corpus.framed_ids), seed=seed)
        .repeat()
        .batch(batch_size)
    )
    lm.compile(optimizer=keras.optimizers.Adam(float(hparams.get("learning_rate", 1e-2)),
                                               clipnorm=5.0))  # fmt: skip
    lm.fit(dataset, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0,
           callbacks=[keras.callbacks.TensorBoard(os.path.join(run_dir, "tensorboard"),
                                                  update_freq=min(20, steps))])  # fmt: skip
    return lm


def build_evaluator(corpus, scoring_lm, embedder, reverse_units=64, reverse_epochs=2):
    """`evaluate(samples, seed, reverse_lm=True) -> metrics` of `METRIC_NAMES` against
    `corpus.references`.

    The LM score uses `scoring_lm` (trained on the training split); the reverse-LM score
    trains a fresh LM on the samples (`reverse_units`, `reverse_epochs`, the given seed) and
    scores the references with it. With `reverse_lm=False` it is left out: the search
    trials skip it, as the thesis does (lines 3063-3067: too expensive for tuning).
    """
    reverse = dict(
        heldout=corpus.references, vocabulary=corpus.vocabulary, embedding_dim=64,
        units=reverse_units, epochs=reverse_epochs, batch_size=32, learning_rate=1e-2,
    )  # fmt: skip

    def evaluate(samples, seed=0, reverse_lm=True):
        scores = evaluate_samples(
            samples, corpus.references, embedder, lm=scoring_lm,
            which=("unique4", "bleu4", "self_bleu4", "fd", "lm_score"),
        )  # fmt: skip
        if reverse_lm:
            scores["reverse_lm"] = reverse_lm_score(samples, seed=seed, **reverse)
        return {name: float(scores[name]) for name in METRIC_NAMES if name in scores}

    return evaluate


def default_space(model):
    """The declared random-search space of one model of `MODELS`."""
    if model == "lm":
        return dict(LM_SPACE)
    if model in ("conv_deconv", "conv_lstm"):
        from tfrnnx.experiments import _wgan_trial

        return dict(_wgan_trial.DEFAULT_SPACE)
    if model in MODELS:
        from tfrnnx.experiments import _discrete_gan_trial

        return dict(_discrete_gan_trial.DEFAULT_SPACE)
    raise ValueError(f"model must be one of {MODELS}. Received: model={model!r}")


def make_trial_fn(model, corpus, evaluate, steps, num_samples, adversarial_steps=None,
                  reverse_lm=True):  # fmt: skip
    """`trial_fn(hparams, seed, run_dir) -> metrics` training and evaluating `model`.

    `steps`: the LM's training steps, which are also the discrete GANs' likelihood
    pretraining (then `adversarial_steps` GAN steps, default `steps // 2`), or the WGAN-GP
    generator steps. `reverse_lm`: whether the evaluation trains the reverse LM (the seed
    repeats) or not (the search trials).
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}. Received: model={model!r}")
    if adversarial_steps is None:
        adversarial_steps = steps // 2

    def trial_fn(hparams, seed, run_dir):
        os.makedirs(run_dir, exist_ok=True)
        keras.utils.set_random_seed(seed)
        start = time.time()
        if model == "lm":
            lm = train_lm(hparams, seed, run_dir, corpus, steps)
            samples = sample_sentences(lm, num_samples, max_length=corpus.max_tokens, seed=seed)
        elif model in ("conv_deconv", "conv_lstm"):
            from tfrnnx.experiments._wgan_trial import train_wgan_gp

            samples = train_wgan_gp(
                hparams, seed, run_dir, corpus.gan_ids, corpus.vocabulary,
                corpus.gan_ids.shape[1], steps, num_samples,
                generator="conv" if model == "conv_deconv" else "lstm",
            )  # fmt: skip
        else:
            from tfrnnx.experiments._discrete_gan_trial import train_discrete_gan

            samples = train_discrete_gan(
                model, hparams, seed, run_dir, corpus.framed_ids, corpus.vocabulary,
                corpus.framed_ids.shape[1], steps, num_samples, adversarial_steps,
            )  # fmt: skip
        train_seconds = time.time() - start
        write_text_atomically(os.path.join(run_dir, "samples.txt"), "\n".join(samples) + "\n")
        start = time.time()
        scores = evaluate(list(samples), seed, reverse_lm=reverse_lm)
        scores["train_s"] = train_seconds
        scores["eval_s"] = time.time() - start
        return scores

    return trial_fn
