"""Thesis Tables 3.2 / 3.3: PTB word- and character-level LMs with recurrent dropout.

Runs the configurations named by --configs (see CONFIGS) with the Zaremba-style setup of
the thesis (1 layer, SGD lr 1, clip 10, BPTT 35, batch 32, lr / 1.5 on plateau, init
U(-0.05, 0.05)) and writes a table to docs/results/ptb_<level>_lm.md. Each run
checkpoints every epoch under --workdir and resumes when started again.

    python scripts/ptb_lm.py --level word --train-fraction 0.2 --epochs 10
    python scripts/ptb_lm.py --level word --quick --out /tmp/ptb.md   # smoke run
"""

import argparse
import dataclasses
import math
import os
import platform
import sys

from tfrnnx.data.ptb import load_ptb
from tfrnnx.experiments.corpus_lm import CorpusLMConfig, summarize, train_corpus_lm
from tfrnnx.io_utils import script_command
from tfrnnx.io_utils import write_results

# name -> (description, forward dropout on?, recurrent dropout mode or None)
CONFIGS = {
    "none": ("no dropout", False, None),
    "forward": ("forward dropout only", True, None),
    "update": ("forward + ours (update g), per-step", True, "update"),
    "hidden": ("forward + Gal (hidden h), per-step", True, "hidden"),
    "cell": ("forward + Moon (cell c), per-step", True, "cell"),
}

# Thesis Tables 3.2 (perplexity) and 3.3 (bits per character), valid and test, keyed by
# (forward dropout, recurrent rate, sampling), then scheme; rate 0 is the same for all schemes.
_SCHEMES = ("moon", "gal", "ours")
_ROWS = ((0.0, "-"), (0.25, "per-step"), (0.5, "per-step"), (0.25, "per-sequence"), (0.5, "per-sequence"))


def _thesis_table(upper, lower):
    table = {}
    for forward, half in ((False, upper), (True, lower)):
        for (rate, sampling), values in zip(_ROWS, half):
            table[(forward, rate, sampling)] = {s: tuple(values[2 * i: 2 * i + 2]) for i, s in enumerate(_SCHEMES)}
    return table


THESIS = {
    "word": _thesis_table(
        [(130.0, 125.2) * 3, (113.0, 108.7, 119.8, 114.2, 106.1, 100.0),
         (124.0, 116.5, 118.3, 112.5, 102.8, 98.0), (121.0, 113.0, 120.5, 114.0, 106.3, 100.7),
         (137.7, 126.2, 125.2, 117.9, 103.2, 96.8)],
        [(94.1, 89.5) * 3, (113.5, 105.8, 92.9, 88.4, 91.6, 87.0),
         (140.6, 130.1, 98.6, 92.5, 100.6, 95.5), (105.7, 99.9, 94.5, 89.7, 92.4, 87.6),
         (125.4, 117.4, 98.4, 92.5, 107.8, 101.8)]),
    "char": _thesis_table(
        [(1.460, 1.457) * 3, (1.435, 1.394, 1.345, 1.308, 1.338, 1.301),
         (1.610, 1.561, 1.387, 1.348, 1.355, 1.316), (1.433, 1.390, 1.341, 1.304, 1.356, 1.319),
         (1.691, 1.647, 1.408, 1.369, 1.496, 1.450)],
        [(1.362, 1.326) * 3, (1.471, 1.428, 1.381, 1.344, 1.358, 1.321),
         (1.668, 1.622, 1.463, 1.425, 1.422, 1.380), (1.455, 1.413, 1.387, 1.348, 1.403, 1.363),
         (1.681, 1.637, 1.477, 1.435, 1.567, 1.522)]),
}
# Each configuration's row of the thesis' table (forward dropout 0.2 in / 0.5 out there).
THESIS_ROW = {"none": ((False, 0.0, "-"), "ours"), "forward": ((True, 0.0, "-"), "ours"),
              "update": ((True, 0.25, "per-step"), "ours"), "hidden": ((True, 0.25, "per-step"), "gal"),
              "cell": ((True, 0.25, "per-step"), "moon")}
THESIS_FINDINGS = {
    "word": "with forward dropout, 0.25 per-step: ours 87.0 < Gal 88.4 < forward dropout only 89.5 < "
            "Moon 105.8 test perplexity; no dropout 125.2. Observations (lines 1523-1529): (i) ours is "
            "better than the alternatives; (iv) forward dropout alone beats any recurrent dropout alone; "
            "(v) ours and Gal's both help on top of forward dropout, ours more.",
    "char": "regularising only the recurrent connections beats only the forward ones: ours 1.301 and Gal "
            "1.308 test bpc (0.25 per-step, no forward dropout) against forward dropout only 1.326; ours is "
            "the only scheme that improves on forward dropout when combined with it (1.321); best overall "
            "ours 0.25 per-step (lines 1561-1568).",
}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", choices=["word", "char"], default="word")
    parser.add_argument("--data-dir", default=os.environ.get("TFRNNX_DATA_DIR"))
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--embedding-dim", type=int, default=None, help="default: units")
    parser.add_argument("--forward-dropout", type=float, default=0.5)
    parser.add_argument("--recurrent-dropout", type=float, default=0.25)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--train-fraction", type=float, default=1.0,
                        help="use the first fraction of the training text (scaled-down runs)")
    parser.add_argument("--bptt", type=int, default=35)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", default=None, help="checkpoints; default runs/ptb_<level>")
    parser.add_argument("--out", default=None, help="default docs/results/ptb_<level>_lm.md")
    parser.add_argument("--quick", action="store_true", help="seconds-long smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.units, args.epochs, args.configs = 16, 1, ["none", "update"]
    args.workdir = args.workdir or os.path.join("runs", f"ptb_{args.level}")
    args.out = args.out or os.path.join("docs", "results", f"ptb_{args.level}_lm.md")
    return args


def main(argv=None):
    args = parse_args(argv)
    splits, vocabulary = load_ptb(args.data_dir, args.level)
    if args.quick:  # tiny valid/test too
        splits = {name: ids[:3000] for name, ids in splits.items()}
    results = {}
    for name in args.configs:
        _, forward, mode = CONFIGS[name]
        config = CorpusLMConfig(
            units=args.units, embedding_dim=args.embedding_dim or args.units,
            forward_dropout=args.forward_dropout if forward else 0.0,
            recurrent_dropout=args.recurrent_dropout if mode else 0.0,
            recurrent_dropout_mode=mode or "update", batch_size=args.batch_size,
            bptt=args.bptt, epochs=args.epochs, seed=args.seed,
        )
        print(f"== {name}: {dataclasses.asdict(config)}", flush=True)
        history = train_corpus_lm(
            splits, len(vocabulary), config, os.path.join(args.workdir, name),
            log=lambda line: print(line, flush=True), train_fraction=args.train_fraction,
            logdir=os.path.join(args.workdir, name, "tensorboard"),
        )
        results[name] = summarize(history)
    page, command, rows = report(args, results, argv, len(vocabulary))
    write_results(args.out, page, {"command": command, "rows": rows,
                                   "thesis": {f"forward={f} {r:g} {s}": v
                                              for (f, r, s), v in THESIS[args.level].items()}})
    print(f"wrote {args.out}")
    return 0


def report(args, results, argv, vocab_size):
    command = script_command(__file__, argv)
    unit = "perplexity" if args.level == "word" else "bits per character"
    lines = [
        f"# PTB {args.level}-level language model: recurrent dropout schemes "
        f"(thesis Table {'3.2' if args.level == 'word' else '3.3'})",
        "",
        f"Command: `{command.strip()}`  ",
        f"Data: `ptb/` from `$TFRNNX_DATA_DIR` ({args.level} level, vocabulary {vocab_size}); "
        f"first {args.train_fraction:.0%} of the training text, full valid and test.  ",
        f"Seed: {args.seed}. Machine: {platform.machine()}, {os.cpu_count()} CPU cores, no GPU, "
        f"shared with other jobs. Training time (sum of the runs' epochs, evaluation excluded): "
        f"{sum(r['seconds'] for r in results.values()) / 60:.1f} min.  ",
        f"Setup: 1 layer of {args.units} units, embedding {args.embedding_dim or args.units}, "
        f"SGD lr 1, global-norm clip 10, BPTT {args.bptt}, batch {args.batch_size}, lr / 1.5 when "
        f"validation does not improve, init U(-0.05, 0.05), {args.epochs} epochs; forward dropout "
        f"{args.forward_dropout} (embedding and LSTM output), recurrent dropout "
        f"{args.recurrent_dropout} per-step, inverted scaling.",
        "",
        f"| configuration | best epoch | valid {unit} | test {unit} | thesis valid / test | train time (min) |",
        "|---|---|---|---|---|---|",
    ]
    rows = []
    for name, result in results.items():
        valid, test = result["valid"], result["test"]
        if args.level == "char":  # perplexity per character -> bits per character
            valid, test = math.log2(valid), math.log2(test)
        key, scheme = THESIS_ROW[name]
        thesis = THESIS[args.level][key][scheme]
        lines.append(f"| {CONFIGS[name][0]} | {result['best_epoch']} | {valid:.3f} | {test:.3f} "
                     f"| {thesis[0]:g} / {thesis[1]:g} | {result['seconds'] / 60:.1f} |")
        rows.append({"config": name, "best_epoch": result["best_epoch"],
                     "valid": round(valid, 4), "test": round(test, 4), "thesis_valid": thesis[0],
                     "thesis_test": thesis[1], "train_minutes": round(result["seconds"] / 60, 2)})
    best = min(results, key=lambda name: results[name]["test"])
    still_improving = [CONFIGS[n][0] for n, r in results.items() if r["best_epoch"] == args.epochs]
    lines += [
        "",
        f"Thesis (Table {'3.2' if args.level == 'word' else '3.3'}; its rows beside ours above, forward "
        f"dropout 0.2 in / 0.5 out there): {THESIS_FINDINGS[args.level]}",
        "",
        f"This run: lowest test {unit}: {CONFIGS[best][0]}."
        + (f" Still improving at the last epoch (budget too short to judge regularization): "
           f"{', '.join(still_improving)}." if still_improving else ""),
    ]
    lines += ["", "## Settings where we differ from the thesis, and why", "",
              "| setting | thesis | here | why |", "|---|---|---|---|", *differences(args)]
    return "\n".join(lines) + "\n", command.strip(), rows


def differences(args):
    """Rows of the settings table: only where this run is not the thesis' setup."""
    word = args.level == "word"
    rows = [
        ("forward dropout", "0.2 in / 0.5 out", f"{args.forward_dropout:g} on both", "older setting of this script"),
        ("training text", "all of it", f"first {args.train_fraction:.0%}", "2 CPU cores: time budget"),
        ("training length", "until validation stops improving (lr / 1.5 rule)" if word else "50 epochs",
         f"{args.epochs} epochs", "time budget"),
        ("rows", "0.25 and 0.5, per-step and per-sequence, with and without forward dropout",
         "the configurations in the table", "time budget"),
    ]
    if not word:
        rows += [("units", "1024", str(args.units), "time budget"),
                 ("optimizer", "Adam 1e-3, x0.97 per epoch after 10, max-norm clip 10, U(±0.01)",
                  "SGD lr 1, lr / 1.5 on plateau, clip 10, U(±0.05)", "the word-level setup was reused"),
                 ("sequence length", "100", str(args.bptt), "")]
    elif args.units != 256:
        rows.append(("units", "256", str(args.units), "time budget"))
    here = {"forward dropout": args.forward_dropout != 0.2, "training text": args.train_fraction < 1}
    return [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows if here.get(a, True) and b != c]


if __name__ == "__main__":
    sys.exit(main())
