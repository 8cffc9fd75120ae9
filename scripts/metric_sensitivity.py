"""Thesis Fig. 5.9 on real text: how text-generation metrics react to known failures.

Brown corpus sentences (length-capped) are split at random into a reference set (all 15
genres), a training split for the LM-score language model, and a pool the "generated"
samples are drawn from. Three deteriorations of the samples are scored with BLEU-4,
self-BLEU-4, FD, k-NN precision/recall and MAUVE (MiniLM embeddings), LM score, reverse-LM
score and unique 4-grams:

1. mode collapse: samples from the first k genres of `cats.txt` only, k = 15 ... 1;
2. word dropout with probability p;
3. word swapping (round(p * n) random transpositions per n-word sentence).

Writes a markdown file with one table per deterioration and one PNG per deterioration
next to it.

    python scripts/metric_sensitivity.py --data-dir /work/shared/data
    python scripts/metric_sensitivity.py --quick --out /tmp/ms.md   # smoke run
"""

import argparse
import os
import platform
import time

import numpy as np

from tfrnnx.data.brown import GENRES
from tfrnnx.data.brown import load_brown
from tfrnnx.experiments.text_metrics import CachedEmbedder
from tfrnnx.experiments.text_metrics import evaluate_samples
from tfrnnx.experiments.text_metrics import markdown_table
from tfrnnx.experiments.text_metrics import plot_metrics
from tfrnnx.experiments.text_metrics import split_corpus
from tfrnnx.io_utils import script_command
from tfrnnx.io_utils import write_results
from tfrnnx.metrics import MiniLMEncoder
from tfrnnx.metrics import reverse_lm_score
from tfrnnx.metrics import train_language_model
from tfrnnx.metrics.deteriorations import genre_collapse
from tfrnnx.metrics.deteriorations import word_dropout
from tfrnnx.metrics.deteriorations import word_swap
from tfrnnx.tokenizers import WordVocabulary


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("TFRNNX_DATA_DIR"))
    parser.add_argument("--out", default=os.path.join("docs", "results", "metric_sensitivity.md"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--num-references", type=int, default=2000)
    parser.add_argument("--num-samples", type=int, default=1000)
    parser.add_argument("--num-lm-train", type=int, default=8000,
                        help="real sentences the LM-score language model is trained on")
    parser.add_argument("--max-words", type=int, default=40, help="longer sentences are dropped")
    parser.add_argument("--genre-levels", type=int, nargs="+", default=[15, 13, 11, 9, 7, 5, 3, 1])
    parser.add_argument("--rates", type=float, nargs="+", default=[0.0, 0.1, 0.2, 0.3, 0.5])
    parser.add_argument("--vocab-size", type=int, default=5000)
    parser.add_argument("--lm-units", type=int, default=128)
    parser.add_argument("--lm-epochs", type=int, default=2)
    parser.add_argument("--reverse-units", type=int, default=64)
    parser.add_argument("--reverse-epochs", type=int, default=2)
    parser.add_argument("--reverse-seeds", type=int, default=3,
                        help="reverse LMs (seeds seed, seed+1, ...) per sample set; mean and sd")
    parser.add_argument("--quick", action="store_true", help="seconds-long smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        # FD needs more sentences than the 384 MiniLM dimensions; everything else is tiny.
        args.num_references, args.num_samples, args.num_lm_train = 400, 400, 300
        args.genre_levels, args.rates, args.max_words = [15, 1], [0.0, 0.5], 12
        args.vocab_size, args.lm_units, args.lm_epochs = 500, 16, 1
        args.reverse_units, args.reverse_epochs, args.reverse_seeds = 8, 1, 1
    if not args.data_dir:
        parser.error("--data-dir is required (or set TFRNNX_DATA_DIR)")
    return args


def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    sentences, genres = load_brown(args.data_dir)
    kept, references, lm_train, pool, pool_genres = split_corpus(
        sentences, genres, args.num_references, args.num_lm_train, args.max_words, args.seed)
    print(f"{kept} sentences of <= {args.max_words} words; references {len(references)}, "
          f"LM train {len(lm_train)}, pool {len(pool)}", flush=True)

    vocabulary = WordVocabulary.build(lm_train, max_size=args.vocab_size)
    lm_start = time.time()
    lm = train_language_model(
        lm_train, vocabulary=vocabulary, embedding_dim=64, units=args.lm_units,
        epochs=args.lm_epochs, batch_size=64, learning_rate=1e-2, seed=args.seed,
    )  # fmt: skip
    lm_seconds = time.time() - lm_start
    reverse = dict(
        heldout=references, vocabulary=vocabulary, embedding_dim=64, units=args.reverse_units,
        epochs=args.reverse_epochs, batch_size=32, learning_rate=1e-2,
    )  # fmt: skip
    embedder = CachedEmbedder(MiniLMEncoder())
    cache = {}

    def evaluate(samples):
        key = tuple(samples)
        if key not in cache:
            scores = evaluate_samples(samples, references, embedder, lm=lm)
            runs = [reverse_lm_score(samples, seed=args.seed + i, **reverse)
                    for i in range(args.reverse_seeds)]  # fmt: skip
            scores["reverse_lm"] = float(np.mean(runs))
            scores["reverse_lm_sd"] = float(np.std(runs, ddof=1)) if len(runs) > 1 else 0.0
            cache[key] = scores
        return dict(cache[key])

    base = genre_collapse(pool, pool_genres, len(GENRES), args.num_samples,
                          genre_order=GENRES, seed=args.seed)  # fmt: skip
    tables = {"genre": [], "dropout": [], "swap": []}
    for k in args.genre_levels:
        samples = genre_collapse(pool, pool_genres, k, args.num_samples, genre_order=GENRES,
                                 seed=args.seed)  # fmt: skip
        tables["genre"].append({"k": k, "last": GENRES[k - 1], **evaluate(samples)})
        print("genres", k, tables["genre"][-1], flush=True)
    for name, function in (("dropout", word_dropout), ("swap", word_swap)):
        for p in args.rates:
            samples = function(base, p, seed=args.seed)
            tables[name].append({"p": p, **evaluate(samples)})
            print(name, p, tables[name][-1], flush=True)

    results_dir = os.path.dirname(os.path.abspath(args.out))
    stem = os.path.splitext(os.path.basename(args.out))[0]
    pngs = {}
    for name, x_key, x_label, title in (
        ("genre", "k", "genres kept (k)", "Mode collapse: samples from the first k genres"),
        ("dropout", "p", "word dropout p", "Word dropout"),
        ("swap", "p", "word swap p", "Word swapping"),
    ):
        pngs[name] = f"{stem}_{name}.png"
        rows = tables[name]
        plot_metrics(rows, x_key, x_label, os.path.join(results_dir, pngs[name]), title,
                     log_metrics=("reverse_lm", "lm_score"), invert_x=name == "genre")  # fmt: skip
    wall = time.time() - start
    command = script_command(__file__, argv)
    text = report(args, command, kept, len(references), len(lm_train), len(pool), lm_seconds,
                  len(embedder.cache), tables, pngs, wall)  # fmt: skip
    twin = {"command": command.strip(),
            "rows": [{"deterioration": name, **row} for name, rows in tables.items() for row in rows]}
    write_results(args.out, text, twin)
    print(f"wrote {args.out} ({wall:.0f} s)", flush=True)
    return tables


def report(args, command, kept, n_ref, n_train, n_pool, lm_seconds, n_embedded, tables, pngs,
           wall):  # fmt: skip
    def shown(rows):
        return [{**r, "p": f"{r['p']:g}" if "p" in r else None,
                 "reverse_lm": f"{r['reverse_lm']:.1f} ± {r['reverse_lm_sd']:.1f}"} for r in rows]

    genre_rows = [{**r, "k": f"{r['k']} (…{r['last']})"} for r in shown(tables["genre"])]
    return "\n".join([
        "# Metric sensitivity on real text (thesis §5.6.3, Fig. 5.9)",
        "",
        f"Command: `{command}` (seed {args.seed}{', **--quick smoke run**' if args.quick else ''}).",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores shared with other jobs, no GPU; "
        f"Python {platform.python_version()}. Wall time {wall:.0f} s (LM-score LM training "
        f"{lm_seconds:.0f} s; {n_embedded} distinct sentences embedded with MiniLM).",
        "",
        f"Data: Brown corpus (`brown/brown.zip`), lower-cased, tags stripped, sentences of 1–"
        f"{args.max_words} words ({kept} of 57,340), split at random (seed {args.seed}) into "
        f"{n_ref} references (all genres), {n_train} LM-training sentences and a pool of "
        f"{n_pool} from which {args.num_samples} samples per level are drawn.",
        f"LM score: LSTM LM (embedding 64, {args.lm_units} units, vocabulary of the "
        f"{args.vocab_size} most frequent training words) trained {args.lm_epochs} epochs on the "
        f"LM-training split. Reverse LM: fresh LSTM LM (embedding 64, {args.reverse_units} units, "
        f"same vocabulary) trained {args.reverse_epochs} epochs on the samples, perplexity on the "
        f"references; mean ± sd over {args.reverse_seeds} seed(s) ({args.seed}, {args.seed}+1, …; "
        f"initialisation and shuffling). FD, precision/recall (k = 3) and MAUVE "
        f"(`tfrnnx.metrics.mauve`, the reference implementation's defaults: clusters = samples "
        f"/ 10, scaling 5) on MiniLM embeddings of samples vs references. BLEU-4 / self-BLEU-4: nltk method1 smoothing, every sample against all "
        f"references / all other samples. Unique 4-grams: distinct / all 4-grams of the samples.",
        "",
        "## 1. Mode collapse: samples from the first k genres",
        "",
        "Genre order of `cats.txt`: " + ", ".join(GENRES) + ". Row k keeps the first k "
        "(the label names the last one kept); samples are drawn uniformly from those genres' pool "
        "sentences.",
        "",
        markdown_table(genre_rows, [("k", "genres kept")]),
        "",
        f"![mode collapse]({pngs['genre']})",
        "",
        "## 2. Word dropout (each word dropped with probability p)",
        "",
        markdown_table(shown(tables["dropout"]), [("p", "p")]),
        "",
        f"![word dropout]({pngs['dropout']})",
        "",
        "## 3. Word swapping (round(p·n) random transpositions per n-word sentence)",
        "",
        markdown_table(shown(tables["swap"]), [("p", "p")]),
        "",
        f"![word swapping]({pngs['swap']})",
        "",
    ])


if __name__ == "__main__":
    main()
