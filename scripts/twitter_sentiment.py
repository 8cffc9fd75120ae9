"""Table 3.5 (thesis §3.4.5): Twitter sentiment with recurrent dropout, RNN / LSTM / GRU.

Thesis setup (lines 1639-1682): words in one by one, the label read at the last step,
500 units, RMSProp 1e-3, our recurrent dropout with per-step masks at 0 and 0.25, the other
settings as the NER task (static word2vec inputs, forward dropout 0.2 in / 0.5 out, 50
epochs, x0.95 per epoch after epoch 10), pretraining on 1M weakly labelled tweets. Metric:
mean of the positive and negative F1, on Twitter13/14/15, Sarcasm14 (LiveJournal14, SMS13
and the 1M tweets are not staged here).

Here: word2vec trained with gensim on the training tweets, no pretraining; the epoch with
the best 2013-dev score is kept (early stopping, `--patience`). Each finished configuration
is cached in `--workdir` (rerunning resumes); the page and its JSON twin are rewritten
after every configuration.

    python scripts/twitter_sentiment.py --units 500 --epochs 50 --seeds 0,1,2
    python scripts/twitter_sentiment.py --quick --out /tmp/t.md
"""

import argparse
import json
import os
import platform
import time

import keras
import numpy as np

import tfrnnx
from tfrnnx.experiments.recurrent_dropout_tasks import CELLS
from tfrnnx.experiments.recurrent_dropout_tasks import check_script_flags
from tfrnnx.experiments.recurrent_dropout_tasks import decay_after
from tfrnnx.experiments.recurrent_dropout_tasks import positive_negative_f1
from tfrnnx.experiments.recurrent_dropout_tasks import recurrent_layer
from tfrnnx.experiments.recurrent_dropout_tasks import settings_digest
from tfrnnx.experiments.recurrent_dropout_tasks import static_word_vectors
from tfrnnx.experiments.run_cache import cached_run
from tfrnnx.io_utils import script_command
from tfrnnx.io_utils import write_results

RESULTS = os.path.join(os.path.dirname(__file__), "..", "docs", "results")
TEST_SETS = ("twitter13", "twitter14", "twitter15", "sarcasm14")
THESIS = {  # Table 3.5 (line 1663): Twitter13, Twitter15, Twitter14, Sarcasm14 columns
    ("rnn", 0.0): {"twitter13": 67.54, "twitter15": 59.35, "twitter14": 68.90, "sarcasm14": 53.58},
    ("rnn", 0.25): {"twitter13": 66.35, "twitter15": 59.91, "twitter14": 67.76, "sarcasm14": 48.74},
    ("lstm", 0.0): {"twitter13": 67.97, "twitter15": 57.84, "twitter14": 67.95, "sarcasm14": 53.49},
    ("lstm", 0.25): {"twitter13": 69.11, "twitter15": 61.35, "twitter14": 68.08, "sarcasm14": 53.80},
    ("gru", 0.0): {"twitter13": 67.09, "twitter15": 59.07, "twitter14": 67.02, "sarcasm14": 51.01},
    ("gru", 0.25): {"twitter13": 69.04, "twitter15": 60.34, "twitter14": 69.65, "sarcasm14": 54.77},
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("TFRNNX_DATA_DIR"))
    parser.add_argument("--cells", default="rnn,lstm,gru")
    parser.add_argument("--rates", default="0,0.25")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--embedding-dim", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--patience", type=int, default=5, help="epochs without a better dev score")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=50, help="tokens kept per tweet")
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--train-size", type=int, default=None, help="first N training tweets")
    parser.add_argument("--workdir", default=os.path.join("runs", "twitter_sentiment"))
    parser.add_argument("--out", default=os.path.join(RESULTS, "twitter_sentiment.md"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.units, args.embedding_dim, args.epochs, args.train_size = 8, 8, 1, 200
        args.cells, args.seeds, args.patience = "rnn,lstm", "0", 1
    args.cells = args.cells.split(",")
    args.rates = [float(r) for r in args.rates.split(",")]
    args.seeds = [int(s) for s in args.seeds.split(",")]
    bad = [c for c in args.cells if c not in CELLS]
    if bad:
        parser.error(f"--cells must be a comma list of {CELLS}. Received: {bad}")
    if any(not 0.0 <= r < 1.0 for r in args.rates):
        parser.error(f"--rates must be in [0, 1). Received: {args.rates}")
    check_script_flags(parser, args, ("units", "embedding_dim", "epochs", "batch_size", "max_length", "patience"))
    return args


def load(args):
    train_texts, train_labels = tfrnnx.data.load_semeval_sentiment(args.data_dir, "train")
    texts, labels = {"train": train_texts[: args.train_size]}, {"train": train_labels[: args.train_size]}
    for split in ("dev",) + TEST_SETS:
        texts[split], labels[split] = tfrnnx.data.load_semeval_sentiment(args.data_dir, split)
    vocabulary = tfrnnx.tokenizers.WordVocabulary.build(texts["train"], min_count=2)
    ids = {s: vocabulary.pad(vocabulary.encode(t, max_length=args.max_length), args.max_length)
           for s, t in texts.items()}
    classes = {s: np.array([tfrnnx.data.SENTIMENT_LABELS.index(x) for x in y]) for s, y in labels.items()}
    tokens = [vocabulary.tokenize(t) for t in texts["train"]]
    words = list(vocabulary.special_tokens) + list(vocabulary.words)
    vectors, found = static_word_vectors(tokens, words, args.embedding_dim, seed=0)
    return ids, classes, vectors, found, len(vocabulary)


def build_model(args, cell, rate, seed, vectors):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((args.max_length,), dtype="int32"),
        keras.layers.Embedding(len(vectors), vectors.shape[1], mask_zero=True, trainable=False,
                               embeddings_initializer=keras.initializers.Constant(vectors)),
        keras.layers.Dropout(0.2, seed=seed),
        recurrent_layer(cell, args.units, "ours", rate, "per_step", seed=seed),
        keras.layers.Dropout(0.5, seed=seed),
        keras.layers.Dense(len(tfrnnx.data.SENTIMENT_LABELS)),
    ])
    model.compile(keras.optimizers.RMSprop(args.learning_rate),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def f1_pn(model, ids, classes):
    predicted = np.argmax(model.predict(ids, batch_size=256, verbose=0), -1)
    names = np.array(tfrnnx.data.SENTIMENT_LABELS)
    return positive_negative_f1(names[classes], names[predicted])


class _DevScore(keras.callbacks.Callback):
    """Keeps the weights of the epoch with the best dev score; stops after `patience`."""

    def __init__(self, ids, classes, patience):
        super().__init__()
        self.ids, self.classes, self.patience = ids, classes, patience
        self.best, self.best_epoch, self.best_weights, self.history = -1.0, 0, None, []

    def on_epoch_end(self, epoch, logs=None):
        score = f1_pn(self.model, self.ids, self.classes)
        self.history.append(round(score, 4))
        if score > self.best:
            self.best, self.best_epoch, self.best_weights = score, epoch + 1, self.model.get_weights()
        elif epoch + 1 - self.best_epoch >= self.patience:
            self.model.stop_training = True


def run_one(args, data, cell, rate, seed):
    ids, classes, vectors = data[0], data[1], data[2]
    model = build_model(args, cell, rate, seed, vectors)
    dev = _DevScore(ids["dev"], classes["dev"], args.patience)
    started = time.perf_counter()
    model.fit(ids["train"], classes["train"], batch_size=args.batch_size, epochs=args.epochs,
              shuffle=True, verbose=0, callbacks=[dev, decay_after(args.learning_rate, 10, 0.95)])
    seconds = time.perf_counter() - started
    model.set_weights(dev.best_weights)
    row = {"config": f"{cell} rd={rate:g}", "cell": cell, "recurrent_dropout": rate, "seed": seed,
           "dev": dev.best, "best_epoch": dev.best_epoch, "epochs_run": len(dev.history),
           "still_improving": dev.best_epoch == len(dev.history) == args.epochs,
           "dev_curve": dev.history, "train_seconds": round(seconds, 1),
           "parameters": int(model.count_params())}
    for split in TEST_SETS:
        row[split] = f1_pn(model, ids[split], classes[split])
    return row


def _key(args, cell, rate, seed):
    digest = settings_digest(args, ("units", "embedding_dim", "epochs", "patience",
                                                "batch_size", "max_length", "learning_rate", "train_size"))
    return f"{cell}_rd{rate:g}_seed{seed}_{digest}"


def mean_rows(rows):
    table = []
    for config in dict.fromkeys(r["config"] for r in rows):
        group = [r for r in rows if r["config"] == config]
        mean = {"config": config, "cell": group[0]["cell"], "recurrent_dropout": group[0]["recurrent_dropout"],
                "num_seeds": len(group), "train_seconds": sum(r["train_seconds"] for r in group),
                "best_epochs": [r["best_epoch"] for r in group],
                "still_improving": any(r["still_improving"] for r in group)}
        for split in ("dev",) + TEST_SETS:
            mean[split] = round(100 * float(np.mean([r[split] for r in group])), 2)
        # Spread over seeds of the score the observations use (mean of the test sets).
        per_seed = [100 * float(np.mean([r[s] for s in TEST_SETS])) for r in group]
        mean["test_mean_sd"] = round(float(np.std(per_seed, ddof=1)), 2) if len(group) > 1 else None
        table.append(mean)
    return table


def observation_lines(table):
    """Thesis: recurrent dropout helps LSTM and GRU and hurts the vanilla RNN (mean of the
    test sets, here the four staged ones)."""
    lines = []
    for cell, expected in (("rnn", "hurts"), ("lstm", "helps"), ("gru", "helps")):
        rows = {r["recurrent_dropout"]: r for r in table if r["cell"] == cell}
        if 0.0 not in rows or len(rows) < 2:
            continue
        rate = max(rows)
        mean = lambda row: float(np.mean([row[s] for s in TEST_SETS]))  # noqa: E731
        delta = mean(rows[rate]) - mean(rows[0.0])
        found = "helps" if delta > 0 else "hurts"
        spreads = [rows[r]["test_mean_sd"] for r in (0.0, rate)]
        if None in spreads:
            noise = "one seed: differences of a point are within seed noise"
        else:
            # Standard error of a difference of two means over the seeds.
            error = float(np.hypot(*spreads) / np.sqrt(rows[0.0]["num_seeds"]))
            noise = (f"{rows[0.0]['num_seeds']} seeds, standard error of the difference {error:.2f}: "
                     + ("larger than twice that" if abs(delta) > 2 * error else "within twice that, so not decided"))
        lines.append(f"- {cell.upper()}: recurrent dropout {rate:g} {found} ({delta:+.2f} on the mean of "
                     f"the test sets); thesis: it {expected} — {'holds' if found == expected else 'does not hold'} "
                     f"({noise}).")
    return lines


def write_page(args, command, table, found, vocab_size, wall):
    lines = ["# Twitter sentiment with recurrent dropout (thesis Table 3.5)", "",
             "Command (repository root; written by the script):", "", f"    {command}", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, no GPU. Wall time of this invocation {wall:.0f} s; training time of all rows "
             f"{sum(r['train_seconds'] for r in table):.0f} s (rows cached in the work directory are read back, not retrained). "
             f"Seeds {args.seeds}. Data: SemEval 2013 train ({args.train_size or 'all'} tweets) for training, "
             f"2013 dev for choosing the epoch; vocabulary {vocab_size} ids (words seen twice), "
             f"{found} with a word2vec vector.", "",
             "Score: mean of the positive and negative F1, times 100 (higher is better), mean over the "
             "seeds. Ours | thesis. `sd` is the seeds' standard deviation of the mean of the four test sets.", "",
             "| cells | recurrent dropout | dev | Twitter13 | Twitter14 | Twitter15 | Sarcasm14 | sd | best epoch | train s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for row in table:
        thesis = THESIS.get((row["cell"], row["recurrent_dropout"]), {})
        cells = [f"{row[s]:.2f} \\| {thesis[s]:.2f}" if s in thesis else f"{row[s]:.2f}" for s in TEST_SETS]
        lines.append(f"| {row['cell'].upper()} | {row['recurrent_dropout']:g} | {row['dev']:.2f} | "
                     + " | ".join(cells) + f" | {'-' if row['test_mean_sd'] is None else row['test_mean_sd']} | "
                     f"{row['best_epochs']} | {row['train_seconds']:.0f} |")
    lines += ["", "## Settings where we differ from the thesis, and why", "",
              "| setting | thesis | here | why |", "|---|---|---|---|",
              f"| units | 500 | {args.units} | {'as the thesis' if args.units == 500 else '2 CPU cores: time budget'} |",
              f"| epochs | 50, x0.95 per epoch after 10 | up to {args.epochs}, x0.95 after 10, "
              f"best 2013-dev epoch kept (patience {args.patience}) | time budget; the thesis does not say how it picked its model |",
              "| pretraining | 1M weakly labelled tweets | none | not staged |",
              f"| word vectors | pretrained word2vec (static) | gensim skip-gram, {args.embedding_dim} dims, "
              "on the training tweets (static) | no word2vec offline |",
              "| test sets | + LiveJournal14, SMS13 | not run | not staged |",
              "| seeds | not stated | " + ",".join(map(str, args.seeds)) + " | |", ""]
    open_rows = [r["config"] for r in table if r["still_improving"]]
    lines += ["## The thesis' observation", "", *observation_lines(table), ""]
    lines += ["## Reading", "",
              ("Runs still improving when they stopped (they decide nothing): " + ", ".join(open_rows))
              if open_rows else "Every run stopped on its dev score (none was still improving at its last epoch).",
              ""]
    write_results(args.out, "\n".join(lines) + "\n", {"command": command, "rows": table,
            "thesis": {f"{c} rd={r:g}": v for (c, r), v in THESIS.items()}})


def main(argv=None):
    args = parse_args(argv)
    command = script_command(__file__, argv)
    started = time.perf_counter()
    data = load(args)
    rows = []
    for cell in args.cells:
        for rate in args.rates:
            for seed in args.seeds:
                rows.append(cached_run(args.workdir, _key(args, cell, rate, seed),
                                       lambda: run_one(args, data, cell, rate, seed)))
                print(json.dumps({k: v for k, v in rows[-1].items() if k != "dev_curve"}), flush=True)
                write_page(args, command, mean_rows(rows), data[3], data[4], time.perf_counter() - started)
    return mean_rows(rows)


if __name__ == "__main__":
    main()
