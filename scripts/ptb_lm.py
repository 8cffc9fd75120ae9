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
from tfrnnx.io_utils import write_text_atomically

# name -> (description, forward dropout on?, recurrent dropout mode or None)
CONFIGS = {
    "none": ("no dropout", False, None),
    "forward": ("forward dropout only", True, None),
    "update": ("forward + ours (update g), per-step", True, "update"),
    "hidden": ("forward + Gal (hidden h), per-step", True, "hidden"),
    "cell": ("forward + Moon (cell c), per-step", True, "cell"),
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
    write_text_atomically(args.out, report(args, results, argv, len(vocabulary)))
    print(f"wrote {args.out}")
    return 0


def report(args, results, argv, vocab_size):
    command = "python scripts/ptb_lm.py " + " ".join(argv if argv is not None else sys.argv[1:])
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
        f"| configuration | best epoch | valid {unit} | test {unit} | train time (min) |",
        "|---|---|---|---|---|",
    ]
    for name, result in results.items():
        valid, test = result["valid"], result["test"]
        if args.level == "char":  # perplexity per character -> bits per character
            valid, test = math.log2(valid), math.log2(test)
        lines.append(f"| {CONFIGS[name][0]} | {result['best_epoch']} | {valid:.3f} | {test:.3f} "
                     f"| {result['seconds'] / 60:.1f} |")
    best = min(results, key=lambda name: results[name]["test"])
    still_improving = [CONFIGS[n][0] for n, r in results.items() if r["best_epoch"] == args.epochs]
    lines += [
        "",
        f"Thesis (Table {'3.2' if args.level == 'word' else '3.3'}, as a pattern; its exact values "
        "are not in this workspace): forward dropout helps, recurrent dropout on top of it helps "
        "further, and dropping the update g (ours) is at least as good as Gal's scheme and better "
        "than Moon's.",
        "",
        f"This run: lowest test {unit}: {CONFIGS[best][0]}."
        + (f" Still improving at the last epoch (budget too short to judge regularization): "
           f"{', '.join(still_improving)}." if still_improving else ""),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
