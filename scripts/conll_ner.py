"""Table 3.4 (thesis §3.4.4): CoNLL-2003 NER with recurrent dropout (ours / Gal / Moon).

Thesis setup (lines 1587-1638): a 5-word convolution with 256 filters over static word2vec
embeddings plus capitalisation features, then an LSTM of 1024 units with relu, Adam 1e-3 for
50 epochs, x0.95 per epoch after epoch 10, random training windows of up to 15 words, full
sentences at test; forward dropout 0.2 in / 0.5 out in the lower half of the table; mean of 3
runs; valid (testa) and test (testb) F1.

Here: word2vec trained with gensim on the CoNLL training sentences and the Brown corpus
(static); words lower-cased with digits mapped to 0; F1 by `tfrnnx.metrics.chunk_f1`
(conlleval's rules) on the original IOB1 tags, after the last epoch. Each finished
configuration and seed is cached in `--workdir`, so a rerun resumes; the page and its JSON
twin are rewritten after each.

    python scripts/conll_ner.py --units 1024 --epochs 50 --seeds 0,1,2
    python scripts/conll_ner.py --quick --out /tmp/ner.md
"""

import argparse
import collections
import json
import os
import platform
import re
import time

import keras
import numpy as np

import tfrnnx
from tfrnnx.experiments.recurrent_dropout_tasks import check_script_flags
from tfrnnx.experiments.recurrent_dropout_tasks import recurrent_layer
from tfrnnx.experiments.recurrent_dropout_tasks import settings_digest
from tfrnnx.experiments.recurrent_dropout_tasks import static_word_vectors
from tfrnnx.experiments.run_cache import cached_run
from tfrnnx.io_utils import script_command
from tfrnnx.io_utils import write_results

RESULTS = os.path.join(os.path.dirname(__file__), "..", "docs", "results")
SCHEME_NAMES = {"none": "no recurrent dropout", "moon": "Moon", "gal": "Gal", "ours": "ours"}
# Table 3.4 (line 1622): (forward dropout, rate, sampling) -> scheme -> (valid, test)
THESIS = {
    (False, 0.0, "-"): {"moon": (88.56, 84.46), "gal": (88.56, 84.46), "ours": (88.56, 84.46)},
    (False, 0.25, "per_step"): {"moon": (88.79, 84.80), "gal": (88.95, 84.34), "ours": (89.27, 84.78)},
    (False, 0.5, "per_step"): {"moon": (88.68, 84.43), "gal": (88.66, 84.33), "ours": (89.06, 84.39)},
    (False, 0.25, "per_sequence"): {"moon": (88.71, 84.33), "gal": (88.54, 84.88), "ours": (89.32, 84.95)},
    (False, 0.5, "per_sequence"): {"moon": (88.06, 83.92), "gal": (89.05, 84.22), "ours": (88.94, 84.32)},
    (True, 0.0, "-"): {"moon": (90.53, 86.99), "gal": (90.53, 86.99), "ours": (90.53, 86.99)},
    (True, 0.25, "per_step"): {"moon": (90.86, 87.19), "gal": (91.06, 87.05), "ours": (91.02, 87.03)},
    (True, 0.5, "per_step"): {"moon": (90.71, 87.03), "gal": (90.76, 87.23), "ours": (90.78, 87.31)},
    (True, 0.25, "per_sequence"): {"moon": (90.73, 87.32), "gal": (90.86, 86.89), "ours": (90.99, 87.33)},
    (True, 0.5, "per_sequence"): {"moon": (89.61, 86.39), "gal": (90.76, 86.68), "ours": (90.40, 86.82)},
}
_DIGITS = re.compile(r"\d")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("TFRNNX_DATA_DIR"))
    parser.add_argument("--schemes", default="ours,gal,moon")
    parser.add_argument("--rates", default="0.25")
    parser.add_argument("--samplings", default="per_step,per_sequence")
    parser.add_argument("--forward", default="off,on", help="forward dropout 0.2 in / 0.5 out")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--units", type=int, default=1024)
    parser.add_argument("--filters", type=int, default=256)
    parser.add_argument("--embedding-dim", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--window", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--train-size", type=int, default=None, help="first N training sentences")
    parser.add_argument("--workdir", default=os.path.join("runs", "conll_ner"))
    parser.add_argument("--out", default=os.path.join(RESULTS, "conll_ner.md"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.units, args.filters, args.embedding_dim, args.epochs, args.train_size = 8, 8, 8, 1, 200
        args.schemes, args.samplings, args.forward, args.seeds = "ours", "per_step", "on", "0"
    args.schemes = args.schemes.split(",")
    args.rates = [float(r) for r in args.rates.split(",")]
    args.samplings = args.samplings.split(",")
    args.forward = [{"off": False, "on": True}.get(f, f) for f in args.forward.split(",")]
    args.seeds = [int(s) for s in args.seeds.split(",")]
    checks = [("schemes", args.schemes, ("ours", "gal", "moon")),
              ("samplings", args.samplings, ("per_step", "per_sequence")),
              ("forward", args.forward, (False, True))]
    for name, values, allowed in checks:
        if any(v not in allowed for v in values):
            parser.error(f"--{name} must be a comma list of {allowed}. Received: {values}")
    if any(not 0.0 < r < 1.0 for r in args.rates):
        parser.error(f"--rates must be in (0, 1). Received: {args.rates}")
    check_script_flags(parser, args, ("units", "filters", "embedding_dim", "epochs", "window", "batch_size"))
    return args


def normalise(word):
    return _DIGITS.sub("0", word.lower())


def capitalisation(word):
    """0 padding, 1 lower case, 2 upper case, 3 first letter upper, 4 other upper, 5 no letter."""
    if not any(c.isalpha() for c in word):
        return 5
    if word.islower():
        return 1
    if word.isupper():
        return 2
    return 3 if word[0].isupper() else 4


def load(args):
    splits = {s: tfrnnx.data.load_conll2003(args.data_dir, s) for s in tfrnnx.data.CONLL2003_SPLITS}
    train_sentences, train_tags = splits["train"]
    splits["train"] = (train_sentences[: args.train_size], train_tags[: args.train_size])
    counts = collections.Counter(normalise(w) for s in splits["train"][0] for w in s)
    words = ["<pad>", "<unk>"] + sorted(counts)
    index = {w: i for i, w in enumerate(words)}
    tag_names = sorted({t for tags in splits["train"][1] for t in tags})
    tag_index = {t: i for i, t in enumerate(tag_names)}
    encoded = {}
    for split, (sentences, tags) in splits.items():
        encoded[split] = [(np.array([index.get(normalise(w), 1) for w in s], "int32"),
                           np.array([capitalisation(w) for w in s], "int32"),
                           np.array([tag_index.get(t, tag_index["O"]) for t in ts], "int32"))
                          for s, ts in zip(sentences, tags)]
    brown, _ = tfrnnx.data.load_brown(args.data_dir)
    corpus = [[normalise(w) for w in s] for s in splits["train"][0]] + [
        [_DIGITS.sub("0", w) for w in s.split()] for s in brown]
    vectors, found = static_word_vectors(corpus, words, args.embedding_dim, seed=0)
    return {"encoded": encoded, "tags": tag_names, "vectors": vectors, "found": found,
            "true_tags": {s: splits[s][1] for s in splits}}


def build_model(args, vectors, num_tags, scheme, rate, sampling, forward, seed):
    keras.utils.set_random_seed(seed)
    words = keras.Input((None,), dtype="int32", name="words")
    caps = keras.Input((None,), dtype="int32", name="capitalisation")
    embedded = keras.layers.Embedding(len(vectors), vectors.shape[1], trainable=False,
                                      embeddings_initializer=keras.initializers.Constant(vectors))(words)
    cap_features = keras.layers.Embedding(6, 6, trainable=False,
                                          embeddings_initializer=keras.initializers.Identity())(caps)
    x = keras.layers.Concatenate()([embedded, cap_features])
    if forward:
        x = keras.layers.Dropout(0.2, seed=seed)(x)
    x = keras.layers.Conv1D(args.filters, 5, padding="same")(x)
    x = recurrent_layer("lstm", args.units, scheme, rate, sampling, seed=seed, activation="relu",
                        return_sequences=True)(x)
    if forward:
        x = keras.layers.Dropout(0.5, seed=seed)(x)
    model = keras.Model([words, caps], keras.layers.Dense(num_tags)(x))
    model.compile(keras.optimizers.Adam(args.learning_rate),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def _padded(rows, length):
    out = [np.zeros((len(rows), length), "int32") for _ in range(3)]
    for i, row in enumerate(rows):
        for part, values in zip(out, row):
            part[i, : len(values)] = values[:length]
    return out


def training_windows(encoded, window, rng):
    """One random window of up to `window` words from every training sentence."""
    rows = []
    for words, caps, tags in encoded:
        start = int(rng.integers(0, max(1, len(words) - window + 1)))
        rows.append((words[start: start + window], caps[start: start + window], tags[start: start + window]))
    return _padded(rows, window)


def predict_tags(model, encoded, tag_names, batch_size=256):
    predicted = []
    for begin in range(0, len(encoded), batch_size):
        chunk = encoded[begin: begin + batch_size]
        words, caps, _ = _padded(chunk, max(len(r[0]) for r in chunk))
        logits = keras.ops.convert_to_numpy(model([words, caps], training=False))
        predicted += [[tag_names[t] for t in np.argmax(logits[i, : len(r[0])], -1)] for i, r in enumerate(chunk)]
    return predicted


def run_one(args, data, scheme, rate, sampling, forward, seed):
    model = build_model(args, data["vectors"], len(data["tags"]), scheme, rate, sampling, forward, seed)
    rng = np.random.default_rng(seed)
    started, curve = time.perf_counter(), []
    for epoch in range(args.epochs):
        # Thesis: x0.95 per epoch, starting after epoch 10.
        model.optimizer.learning_rate.assign(args.learning_rate * 0.95 ** max(0, epoch + 1 - 10))
        words, caps, tags = training_windows(data["encoded"]["train"], args.window, rng)
        history = model.fit([words, caps], tags, sample_weight=(words > 0).astype("float32"),
                            batch_size=args.batch_size, epochs=1, shuffle=True, verbose=0)
        valid = tfrnnx.metrics.chunk_f1(data["true_tags"]["testa"],
                                        predict_tags(model, data["encoded"]["testa"], data["tags"]))
        curve.append({"epoch": epoch + 1, "loss": round(float(history.history["loss"][0]), 4),
                      "valid_f1": round(100 * valid["f1"], 2)})
        print(json.dumps({"scheme": scheme, "sampling": sampling, "forward": forward, **curve[-1]}), flush=True)
    seconds = time.perf_counter() - started
    test = tfrnnx.metrics.chunk_f1(data["true_tags"]["testb"],
                                   predict_tags(model, data["encoded"]["testb"], data["tags"]))
    best = max(c["valid_f1"] for c in curve)
    return {"scheme": scheme, "rate": rate, "sampling": sampling, "forward_dropout": forward, "seed": seed,
            "valid_f1": curve[-1]["valid_f1"], "test_f1": round(100 * test["f1"], 2),
            "still_improving": curve[-1]["valid_f1"] >= best and len(curve) > 1 and curve[-1]["valid_f1"] > curve[-2]["valid_f1"],
            "curve": curve, "train_seconds": round(seconds, 1), "parameters": int(model.count_params())}


def configurations(args):
    for forward in args.forward:
        yield "none", 0.0, "-", forward
        for rate in args.rates:
            for sampling in args.samplings:
                for scheme in args.schemes:
                    yield scheme, rate, sampling, forward


def _key(args, scheme, rate, sampling, forward, seed):
    digest = settings_digest(args, ("units", "filters", "embedding_dim", "epochs", "window",
                                                "batch_size", "learning_rate", "train_size"))
    return f"{scheme}_{rate:g}_{sampling}_fwd{int(forward)}_seed{seed}_{digest}"


def mean_rows(rows):
    table = []
    keys = dict.fromkeys((r["scheme"], r["rate"], r["sampling"], r["forward_dropout"]) for r in rows)
    for scheme, rate, sampling, forward in keys:
        group = [r for r in rows if (r["scheme"], r["rate"], r["sampling"], r["forward_dropout"])
                 == (scheme, rate, sampling, forward)]
        table.append({"config": f"{scheme} {rate:g} {sampling} forward={'on' if forward else 'off'}",
                      "scheme": scheme, "rate": rate, "sampling": sampling, "forward_dropout": forward,
                      "num_seeds": len(group),
                      "valid_f1": round(float(np.mean([r["valid_f1"] for r in group])), 2),
                      "test_f1": round(float(np.mean([r["test_f1"] for r in group])), 2),
                      "valid_sd": round(float(np.std([r["valid_f1"] for r in group])), 2),
                      "test_sd": round(float(np.std([r["test_f1"] for r in group])), 2),
                      "still_improving": any(r["still_improving"] for r in group),
                      "train_seconds": round(sum(r["train_seconds"] for r in group), 1),
                      "parameters": group[0]["parameters"]})
    return table


def observation_lines(table):
    """Thesis (ii) ours and Gal comparable and better than Moon; (iii) every scheme beats no
    recurrent dropout; (i) forward dropout helps more than recurrent dropout. Valid F1."""
    open_note = (" Runs were still improving when they stopped, so this decides nothing."
                 if any(r["still_improving"] for r in table) else "")
    lines = []
    for forward in (False, True):
        rows = [r for r in table if r["forward_dropout"] == forward]
        base = [r for r in rows if r["scheme"] == "none"]
        if not base:
            continue
        base = base[0]["valid_f1"]
        best = {s: max((r["valid_f1"] for r in rows if r["scheme"] == s), default=None)
                for s in ("ours", "gal", "moon")}
        if None in best.values():
            continue
        half = f"forward dropout {'on' if forward else 'off'}"
        ii = best["ours"] > best["moon"] and best["gal"] > best["moon"]
        iii = all(r["valid_f1"] > base for r in rows if r["scheme"] != "none")
        lines.append(f"- (ii), {half}: best valid F1 ours {best['ours']:.2f}, Gal {best['gal']:.2f}, "
                     f"Moon {best['moon']:.2f}: {'holds' if ii else 'does not hold'}.{open_note}")
        lines.append(f"- (iii), {half}: every recurrent-dropout row above no recurrent dropout "
                     f"({base:.2f}): {'holds' if iii else 'does not hold'}.{open_note}")
    if not any(r["forward_dropout"] is False for r in table):
        lines.append("- (i) forward vs recurrent dropout: not tested (the forward-dropout-off half was not run).")
    return lines or ["- Not enough rows to test an observation."]


def write_page(args, command, table, data, wall, read_back=(), runs=()):
    lines = ["# CoNLL-2003 NER with recurrent dropout (thesis Table 3.4)", "",
             "Command (repository root; written by the script):", "", f"    {command}", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, no GPU. Wall time of this invocation {wall:.0f} s; training time of all rows "
             f"{sum(r['train_seconds'] for r in table):.0f} s (rows cached in the work directory are read back, not retrained). "
             f"Seeds {args.seeds}. Data: CoNLL-2003 English, {len(data['encoded']['train'])} training "
             f"sentences, testa (valid) and testb (test); {len(data['vectors'])} word ids, {data['found']} "
             "with a word2vec vector.", "",
             *[f"Rows read back from an earlier run of this script: {source}." for source in read_back],
             *([""] if read_back else []),
             "Chunk F1 (conlleval rules) times 100, after the last epoch; mean over seeds. Ours | thesis.", "",
             "| forward dropout | scheme | rate | sampling | valid F1 | test F1 | sd valid / test | seeds | still improving | train s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for row in table:
        thesis = THESIS.get((row["forward_dropout"], row["rate"], row["sampling"]), {})
        valid, test = thesis.get(row["scheme"] if row["scheme"] != "none" else "ours", (None, None))
        suffix = lambda ours, t: f"{ours:.2f} \\| {t:.2f}" if t is not None else f"{ours:.2f}"  # noqa: E731
        lines.append(f"| {'on' if row['forward_dropout'] else 'off'} | {SCHEME_NAMES[row['scheme']]} | "
                     f"{row['rate']:g} | {row['sampling']} | {suffix(row['valid_f1'], valid)} | "
                     f"{suffix(row['test_f1'], test)} | {row['valid_sd']:.2f} / {row['test_sd']:.2f} | {row['num_seeds']} | "
                     f"{'yes' if row['still_improving'] else 'no'} | {row['train_seconds']:.0f} |")
    lines += ["", "## Settings where we differ from the thesis, and why", "",
              "| setting | thesis | here | why |", "|---|---|---|---|",
              f"| LSTM units | 1024 | {args.units} | {'as the thesis' if args.units == 1024 else '2 CPU cores: time budget'} |",
              f"| epochs | 50 (x0.95 per epoch after 10) | {args.epochs} (same schedule"
              f"{'; the decay starts after epoch 10, so it never applied' if args.epochs <= 10 else ''}) | "
              f"{'as the thesis' if args.epochs == 50 else 'time budget'} |",
              f"| word vectors | pretrained word2vec, static | gensim skip-gram, {args.embedding_dim} dims, on "
              "CoNLL train + Brown, static | no word2vec offline |",
              f"| seeds | 3 | {len(args.seeds)} | {'as the thesis' if len(args.seeds) == 3 else 'time budget'} |",
              f"| rows | 0.25 and 0.5, both samplings, with and without forward dropout | rates {args.rates}, "
              f"{args.samplings}, forward {['on' if f else 'off' for f in args.forward]} | time budget |", ""]
    lines += ["## The thesis' observations", "", *observation_lines(table), ""]
    # Every seed's row too (without its curve): a later session can rebuild the cache from them.
    runs = [{k: v for k, v in r.items() if k != "curve"} for r in runs]
    write_results(args.out, "\n".join(lines) + "\n", {"command": command, "rows": table, "runs": runs,
            "thesis": {f"forward={'on' if f else 'off'} {r:g} {s}": v for (f, r, s), v in THESIS.items()}})


def main(argv=None):
    args = parse_args(argv)
    command = script_command(__file__, argv)
    started = time.perf_counter()
    data = load(args)
    rows = []
    for scheme, rate, sampling, forward in configurations(args):
        for seed in args.seeds:
            rows.append(cached_run(args.workdir, _key(args, scheme, rate, sampling, forward, seed),
                                   lambda: run_one(args, data, scheme, rate, sampling, forward, seed)))
            read_back = sorted({r["read_back_from"] for r in rows if "read_back_from" in r})
            write_page(args, command, mean_rows(rows), data, time.perf_counter() - started, read_back, rows)
    return mean_rows(rows)


if __name__ == "__main__":
    main()
