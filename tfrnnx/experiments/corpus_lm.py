"""Stateful corpus language models for the thesis' PTB experiments (Tables 3.2 and 3.3).

Zaremba-style training: the corpus is cut into ``batch_size`` rows, read in windows of
``bptt`` steps with the LSTM state carried across windows; SGD (or Adam) on the
per-sequence loss (summed over time, averaged over the batch) with global-norm clipping.
The learning rate is divided by ``lr_decay`` whenever validation perplexity does not
improve (the thesis' word-level rule), or, with ``epoch_decay``, multiplied by it after
every epoch from ``epoch_decay_start`` on (its character-level rule). ``patience`` stops
training after that many epochs without a better validation perplexity. Training
checkpoints after every epoch and resumes from the last checkpoint. A run whose training
loss stops being finite ends there: its last record says where it diverged, and resuming
does not train it again.
"""

import dataclasses
import json
import math
import os
import time

import keras
import numpy as np
import tensorflow as tf

from tfrnnx.data.ptb import batchify, bptt_windows
from tfrnnx.layers import RecurrentDropoutLSTM


@dataclasses.dataclass
class CorpusLMConfig:
    units: int = 256
    embedding_dim: int = 256
    forward_dropout: float = 0.0  # on the embeddings and the LSTM outputs, unless set apart:
    input_dropout: float = None  # on the embeddings (default forward_dropout)
    output_dropout: float = None  # on the LSTM outputs (default forward_dropout)
    recurrent_dropout: float = 0.0
    recurrent_dropout_mode: str = "update"
    mask_sampling: str = "per_step"
    # "inverted" (eq. 3.3.15: kept units x 1/(1-p) in training) or "test_time" (eq. 3.3.2).
    dropout_scaling: str = "inverted"
    batch_size: int = 32
    bptt: int = 35
    optimizer: str = "sgd"  # or "adam"
    learning_rate: float = 1.0
    clip_norm: float = 10.0
    lr_decay: float = 1.5
    epoch_decay: float = None  # e.g. 0.97: lr x 0.97 per epoch, instead of the plateau rule
    epoch_decay_start: int = 10  # first epoch (1-based) whose end applies epoch_decay
    patience: int = None  # stop after this many epochs without a better validation score
    init_scale: float = 0.05
    epochs: int = 10
    eval_batch_size: int = 10
    seed: int = 0


class CorpusLM:
    """Embedding -> dropout -> RecurrentDropoutLSTM -> dropout -> softmax, state carried."""

    def __init__(self, vocab_size, config):
        self.config = config
        keras.utils.set_random_seed(config.seed)
        init = keras.initializers.RandomUniform(-config.init_scale, config.init_scale, seed=config.seed)
        self.embedding = keras.layers.Embedding(vocab_size, config.embedding_dim, embeddings_initializer=init)
        rates = [config.forward_dropout if r is None else r
                 for r in (config.input_dropout, config.output_dropout)]  # fmt: skip
        self.input_dropout = keras.layers.Dropout(rates[0], seed=config.seed + 1)
        self.lstm = RecurrentDropoutLSTM(
            config.units, return_sequences=True, return_state=True,
            recurrent_dropout=config.recurrent_dropout,
            recurrent_dropout_mode=config.recurrent_dropout_mode,
            mask_sampling=config.mask_sampling, dropout_scaling=config.dropout_scaling,
            kernel_initializer=init,
            recurrent_initializer=init, seed=config.seed + 2,
        )
        self.output_dropout = keras.layers.Dropout(rates[1], seed=config.seed + 3)
        self.softmax = keras.layers.Dense(vocab_size, kernel_initializer=init)
        optimizers = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam}
        if config.optimizer not in optimizers:
            raise ValueError(f"optimizer must be 'sgd' or 'adam'. Received: optimizer={config.optimizer!r}")
        self.optimizer = optimizers[config.optimizer](config.learning_rate, global_clipnorm=config.clip_norm)
        # Build every layer once so the variables exist before tracing.
        state = self.zero_state(1)
        self.logits(np.zeros((1, 2), "int32"), state, training=False)
        self.variables = (self.embedding.trainable_variables + self.lstm.trainable_variables
                          + self.softmax.trainable_variables)
        self.optimizer.build(self.variables)
        self._train_step = tf.function(self._train_step_impl, reduce_retracing=True)
        self._eval_step = tf.function(self._eval_step_impl, reduce_retracing=True)

    def zero_state(self, batch_size):
        zeros = tf.zeros((batch_size, self.config.units))
        return [zeros, zeros]

    def logits(self, inputs, state, training):
        x = self.input_dropout(self.embedding(inputs), training=training)
        outputs, h, c = self.lstm(x, initial_state=state, training=training)
        return self.softmax(self.output_dropout(outputs, training=training)), [h, c]

    @staticmethod
    def _token_nll(targets, logits):
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits)

    def _train_step_impl(self, inputs, targets, state):
        with tf.GradientTape() as tape:
            logits, state = self.logits(inputs, state, training=True)
            nll = tf.reduce_mean(self._token_nll(targets, logits))
            # SGD: summed over time, averaged over the batch (Zaremba et al.), hence the lr
            # of 1. Adam is invariant to the scale, but the clip is not: the mean per token.
            loss = nll * tf.cast(tf.shape(inputs)[1], nll.dtype) if self.config.optimizer == "sgd" else nll
        gradients = tape.gradient(loss, self.variables)
        self.optimizer.apply_gradients(zip(gradients, self.variables))
        return nll, state

    def _eval_step_impl(self, inputs, targets, state):
        logits, state = self.logits(inputs, state, training=False)
        return tf.reduce_sum(self._token_nll(targets, logits)), state

    def train_step(self, inputs, targets, state):
        return self._train_step(tf.constant(inputs), tf.constant(targets), state)

    def perplexity(self, ids):
        rows = batchify(ids, self.config.eval_batch_size)
        state, total, count = self.zero_state(rows.shape[0]), 0.0, 0
        for inputs, targets in bptt_windows(rows, self.config.bptt):
            nll, state = self._eval_step(tf.constant(inputs), tf.constant(targets), state)
            total += float(nll)
            count += targets.size
        return _exp(total / count)

    def checkpoint(self, epoch_variable):
        return tf.train.Checkpoint(
            embedding=self.embedding, lstm=self.lstm, softmax=self.softmax,
            optimizer=self.optimizer, epoch=epoch_variable,
        )


def train_corpus_lm(splits, vocab_size, config, checkpoint_dir, log=print, train_fraction=1.0,
                    logdir=None):
    """Trains a CorpusLM; returns the list of per-epoch records (resumes if checkpointed).

    Each record: epoch, learning rate, train/valid perplexity, and (for the epoch with the
    best validation perplexity so far) test perplexity; the last record also carries
    ``best_valid`` and ``test_at_best_valid``.
    """
    model = CorpusLM(vocab_size, config)
    epoch = tf.Variable(0, dtype=tf.int64)
    manager = tf.train.CheckpointManager(model.checkpoint(epoch), checkpoint_dir, max_to_keep=1)
    history_path = os.path.join(checkpoint_dir, "history.jsonl")
    history = []
    if manager.latest_checkpoint:
        manager.checkpoint.restore(manager.latest_checkpoint)
        with open(history_path, encoding="utf-8") as file:
            history = [json.loads(line) for line in file][: int(epoch.numpy())]
        log(f"resumed from {manager.latest_checkpoint} at epoch {int(epoch.numpy())}")
    train_ids = splits["train"][: int(len(splits["train"]) * train_fraction)]
    rows = batchify(train_ids, config.batch_size)
    writer = tf.summary.create_file_writer(logdir) if logdir else None
    while (int(epoch.numpy()) < config.epochs and not _out_of_patience(history, config.patience)
           and not (history and diverged(history[-1]))):
        started = time.time()
        state, total, steps, diverged_at = model.zero_state(config.batch_size), 0.0, 0, None
        for inputs, targets in bptt_windows(rows, config.bptt):
            nll, state = model.train_step(inputs, targets, state)
            steps, loss = steps + 1, float(nll)
            if not math.isfinite(loss):
                diverged_at = steps  # the weights are no longer finite: nothing after this step is worth running
                break
            total += loss
        record = {
            "epoch": int(epoch.numpy()) + 1,
            "learning_rate": float(model.optimizer.learning_rate.numpy()),
        }
        if diverged_at:
            record.update(train_perplexity=math.nan, valid_perplexity=math.nan, diverged_at_step=diverged_at)
        else:
            record.update(train_perplexity=_exp(total / steps), valid_perplexity=model.perplexity(splits["valid"]))
        record["seconds"] = time.time() - started
        best_before = min((r["valid_perplexity"] for r in history if not diverged(r)), default=math.inf)
        improved = record["valid_perplexity"] < best_before
        if improved:
            record["test_perplexity"] = model.perplexity(splits["test"])
        rate = model.optimizer.learning_rate
        if config.epoch_decay is not None:
            if record["epoch"] >= config.epoch_decay_start:
                rate.assign(rate * config.epoch_decay)
        elif not improved:
            rate.assign(rate / config.lr_decay)
        history.append(record)
        log(json.dumps(record))
        if writer is not None:
            with writer.as_default(step=record["epoch"]):
                for key in ("train_perplexity", "valid_perplexity", "learning_rate"):
                    tf.summary.scalar(key, record[key])
        epoch.assign_add(1)
        os.makedirs(checkpoint_dir, exist_ok=True)
        with open(history_path + ".tmp", "w", encoding="utf-8") as file:
            file.writelines(json.dumps(r) + "\n" for r in history)
        os.replace(history_path + ".tmp", history_path)
        manager.save()
    return history


def _exp(x):
    # math.exp raises past ~709; a perplexity that large is a diverged run, not an error.
    return math.exp(x) if x < 709 else math.inf


def diverged(record):
    """Whether an epoch record is one where training stopped being finite."""
    return not (math.isfinite(record["train_perplexity"]) and math.isfinite(record["valid_perplexity"]))


def _out_of_patience(history, patience):
    """Whether the last `patience` epochs all failed to beat the best validation before them."""
    if patience is None or len(history) <= patience:
        return False
    scores = [r["valid_perplexity"] for r in history]
    return min(scores[-patience:]) >= min(scores[:-patience])


def summarize(history):
    """Best validation perplexity and the test perplexity measured at that epoch (None for
    both when no epoch finished finite), and the epoch where training diverged, if it did."""
    finite = [r for r in history if not diverged(r)]
    best = min(finite, key=lambda r: r["valid_perplexity"], default={})
    return {"best_epoch": best.get("epoch"), "valid": best.get("valid_perplexity"),
            "test": best.get("test_perplexity"), "seconds": sum(r["seconds"] for r in history),
            "diverged_epoch": next((r["epoch"] for r in history if diverged(r)), None)}
