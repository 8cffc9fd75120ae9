"""Scaled-down thesis Figs. 5.7, 5.8 and Table 5.2: the hybrid text VAE's ablations and tweets.

Three experiments, chosen with `--experiment`:

- `alpha` (Fig. 5.7): `HybridTextVAE` with the LSTM decoder on PTB character fragments,
  auxiliary weight α swept, with linear KL annealing over the first half of training and
  without it (β = 1 from the first step).
- `bytenet` (Fig. 5.8): the hybrid with the masked-convolution (ByteNet) decoder of
  1 … N dilated layers (receptive field 2, 4, … 2**N characters) on the same fragments.
- `tweets` (Tables 5.1 and 5.2): LSTM VAE (word dropout 0.2 and 0.5) and the hybrid with the
  LSTM and with the ByteNet decoder on SemEval tweets (user ids and urls replaced), with
  rec and KL per model and samples from the prior.

Each finished run is stored as JSON under `--workdir`; running the same command again skips
the runs already done. Results: docs/results/text_vae_<experiment>.md and a PNG beside it.

Usage:
    python scripts/text_vae_ablations.py --experiment alpha --data-dir $TFRNNX_DATA_DIR
    python scripts/text_vae_ablations.py --experiment tweets --quick   # seconds, smoke test
"""

import argparse
import collections
import hashlib
import json
import os
import platform
import time

import keras
import numpy as np

import tfrnnx
from tfrnnx.experiments.run_cache import cached_run
from tfrnnx.experiments.text_vae_runs import fit_and_evaluate, markdown_cell
from tfrnnx.io_utils import write_text_atomically

RESULTS = os.path.join(os.path.dirname(__file__), "..", "docs", "results")
EXPERIMENTS = ("alpha", "bytenet", "tweets")
TWEET_PAD = "\x00"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", required=True, choices=EXPERIMENTS)
    parser.add_argument("--data-dir", default=os.environ.get("TFRNNX_DATA_DIR"))
    parser.add_argument("--length", type=int, default=None,
                        help="fragment length (default 64; tweets: 128)")
    parser.add_argument("--alphas", default="0,0.2,0.5,1")
    parser.add_argument("--bytenet-layers", default="1,2,3,4,5,6")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--valid-size", type=int, default=512)
    parser.add_argument("--latent-dim", type=int, default=16)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--min-char-count", type=int, default=100,
                        help="tweets: keep only tweets made of characters seen this often")
    parser.add_argument("--seeds", default="0", help="model seeds; rows give mean ± std over them")
    parser.add_argument("--data-seed", type=int, default=0, help="seed of the data draw and split")
    parser.add_argument("--workdir", default=None, help="default runs/text_vae_<experiment>")
    parser.add_argument("--out", default=None, help="default docs/results/text_vae_<experiment>.md")
    parser.add_argument("--quick", action="store_true", help="tiny run for the smoke test")
    args = parser.parse_args(argv)
    if args.length is None:
        args.length = 128 if args.experiment == "tweets" else 64
    if args.quick:
        args.length, args.steps, args.batch_size, args.valid_size = 16, 2, 4, 8
        args.latent_dim, args.units, args.alphas, args.bytenet_layers = 4, 8, "0,0.5", "1,2"
    for name in ("length", "steps", "batch_size", "valid_size", "latent_dim", "units"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be positive. Received: {getattr(args, name)}")
    args.alphas = number_list(parser, "--alphas", args.alphas, float)
    args.bytenet_layers = number_list(parser, "--bytenet-layers", args.bytenet_layers, int)
    args.seeds = number_list(parser, "--seeds", args.seeds, int)
    name = f"text_vae_{args.experiment}" + ("_quick" if args.quick else "")
    args.workdir = args.workdir or os.path.join("runs", name)
    args.out = args.out or os.path.join(RESULTS, f"{name}.md")
    return args


def number_list(parser, flag, text, kind):
    """Comma-separated distinct numbers, or a usage error naming the flag and the value."""
    try:
        values = [kind(item) for item in text.split(",")]
    except ValueError:
        parser.error(f"{flag} must be comma-separated {kind.__name__}s. Received: {text!r}")
    if len(set(values)) != len(values):
        parser.error(f"{flag} must not repeat a value. Received: {text!r}")
    return values


def settings_key(args):
    """Hash of everything that changes a run's numbers: a new setting never reuses old rows.

    The seeds are not in it: each run's file name holds its seed, so adding seeds reuses
    the runs of the others.
    """
    ignored = ("workdir", "out", "data_dir", "seeds", "alphas", "bytenet_layers")
    fields = {k: v for k, v in vars(args).items() if k not in ignored}
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:10]


# -- data ----------------------------------------------------------------------------------


def ptb_fragments(args):
    fragments, vocabulary = tfrnnx.data.load_ptb_char_fragments(
        args.data_dir, length=args.length,
        counts={"train": args.steps * args.batch_size, "valid": args.valid_size},
        seed=args.data_seed,
    )
    return fragments["train"], fragments["valid"], vocabulary, None


def tweet_ids(args):
    """Tweets of at most `length` characters, all of them frequent characters, padded with id 0.

    Validation is a fixed random draw of `valid_size` tweets; training draws `steps ·
    batch_size` of the rest (with repeats once the pool is used up).
    """
    texts = [text for _, _, text in tfrnnx.data.load_semeval_tweets(args.data_dir)]
    counts = collections.Counter("".join(texts))
    frequent = {c for c, n in counts.items() if n >= args.min_char_count}
    texts = [t for t in texts if len(t) <= args.length and set(t) <= frequent]
    vocabulary = [TWEET_PAD] + sorted(frequent - {TWEET_PAD})
    ids, _ = tfrnnx.data.tweets_to_char_ids(texts, args.length, vocabulary, TWEET_PAD)
    order = np.random.default_rng(args.data_seed).permutation(len(ids))
    if len(ids) <= args.valid_size:
        raise ValueError(
            f"Only {len(ids)} tweets have at most --length={args.length} characters, all seen "
            f"--min-char-count={args.min_char_count} times: none left for training after "
            f"--valid-size={args.valid_size}."
        )
    valid, pool = ids[order[: args.valid_size]], ids[order[args.valid_size:]]
    train = pool[np.resize(np.arange(len(pool)), args.steps * args.batch_size)]
    return train, valid, vocabulary, 0


# -- models --------------------------------------------------------------------------------


def hybrid(args, vocab_size, seed, **options):
    small = args.quick
    return tfrnnx.models.HybridTextVAE(
        vocab_size=vocab_size, sequence_length=args.length, latent_dim=args.latent_dim,
        encoder_filters=(8, 8) if small else (64, 128, 128), rnn_units=args.units,
        bytenet_filters=8 if small else args.units, embedding_dim=4 if small else 16,
        seed=seed, **options,
    )


def lstm_vae(args, vocab_size, seed, **options):
    return tfrnnx.models.LSTMTextVAE(
        vocab_size=vocab_size, sequence_length=args.length, latent_dim=args.latent_dim,
        encoder_units=args.units, decoder_units=args.units,
        embedding_dim=4 if args.quick else 16, seed=seed, **options,
    )


def variants(args, vocab_size):
    """`(key, labels, build)` of every model of the experiment; `build(seed)` makes it."""
    annealing = (0, max(1, args.steps // 2))
    if args.experiment == "alpha":
        for annealed in (True, False):
            for alpha in args.alphas:
                yield (f"alpha{alpha}_{'annealed' if annealed else 'constant'}",
                       {"α": alpha, "KL annealing": "yes" if annealed else "no"},
                       lambda seed, a=alpha, k=annealed: hybrid(
                           args, vocab_size, seed, aux_weight=a, kl_annealing=annealing if k else None))
    elif args.experiment == "bytenet":
        for layers in args.bytenet_layers:
            yield (f"bytenet{layers}", {"layers": layers, "receptive field": 2**layers},
                   lambda seed, n=layers: hybrid(args, vocab_size, seed, decoder="bytenet", bytenet_layers=n,
                                           aux_weight=0.2, kl_annealing=annealing))
    else:
        for p in (0.2, 0.5):
            yield (f"lstm_vae_p{p}", {"model": f"LSTM VAE (word dropout {p})"},
                   lambda seed, p=p: lstm_vae(args, vocab_size, seed, word_dropout=p, kl_annealing=annealing))
        yield ("hybrid_lstm", {"model": "hybrid, LSTM decoder (α=0.2)"},
               lambda seed: hybrid(args, vocab_size, seed, aux_weight=0.2, kl_annealing=annealing))
        yield ("hybrid_bytenet", {"model": "hybrid, ByteNet decoder, 4 layers (α=0.2)"},
               lambda seed: hybrid(args, vocab_size, seed, decoder="bytenet", bytenet_layers=4,
                              aux_weight=0.2, kl_annealing=annealing))


def run(args):
    load = tweet_ids if args.experiment == "tweets" else ptb_fragments
    train, valid, vocabulary, pad_id = load(args)
    workdir = os.path.join(args.workdir, settings_key(args))
    rows = []
    for seed in args.seeds:
        for key, labels, build in variants(args, len(vocabulary)):
            def one_run():
                keras.utils.set_random_seed(seed)
                return fit_and_evaluate(
                    build(seed), train, valid, vocabulary, batch_size=args.batch_size,
                    learning_rate=args.learning_rate, num_samples=3, pad_id=pad_id, seed=seed,
                    run_eagerly=args.quick,
                )

            row = dict(labels, seed=seed, **cached_run(workdir, f"seed{seed}_{key}", one_run))
            print(key, {k: v for k, v in row.items() if k not in ("samples", "reconstruction")},
                  flush=True)
            rows.append(row)
    return rows, len(train), len(valid)


# -- report --------------------------------------------------------------------------------

TITLES = {
    "alpha": "Hybrid VAE: auxiliary weight α with and without KL annealing (thesis Fig. 5.7, scaled down)",
    "bytenet": "Hybrid VAE with the ByteNet decoder: depth against KL (thesis Fig. 5.8, scaled down)",
    "tweets": "Text VAEs on tweets: rec and KL per model, with samples (thesis Tables 5.1, 5.2, scaled down)",
}
DATA = {
    "alpha": "PTB character fragments from random positions",
    "bytenet": "PTB character fragments from random positions",
    "tweets": "SemEval tweets (`semeval_twitter/`, all files, user mentions → `@user`, urls → "
              "`<url>`), padded with id 0 (the padding is part of the reconstruction)",
}


def command(args):
    parts = [f"python scripts/text_vae_ablations.py --experiment {args.experiment}"]
    if args.quick:
        parts.append("--quick")
    else:
        parts.append(f"--length {args.length} --steps {args.steps} --batch-size {args.batch_size} "
                     f"--valid-size {args.valid_size} --learning-rate {args.learning_rate:g} "
                     f"--units {args.units} --latent-dim {args.latent_dim} "
                     f"--seeds {','.join(map(str, args.seeds))} --data-seed {args.data_seed}")
        if args.experiment == "alpha":
            parts.append(f"--alphas {','.join(f'{a:g}' for a in args.alphas)}")
        if args.experiment == "bytenet":
            parts.append(f"--bytenet-layers {','.join(map(str, args.bytenet_layers))}")
        if args.experiment == "tweets":
            parts.append(f"--min-char-count {args.min_char_count}")
    return " ".join(parts) + " --data-dir $TFRNNX_DATA_DIR"


LABELS = ("α", "KL annealing", "layers", "receptive field", "model")
METRICS = ("rec", "kl", "total", "kl_share", "active", "mi", "seconds")


def aggregate(rows):
    """One row per model: mean and standard deviation of each metric over the seeds.

    The samples and the reconstruction are those of the first seed.
    """
    groups = {}
    for row in rows:
        groups.setdefault(tuple((k, row[k]) for k in LABELS if k in row), []).append(row)
    summary = []
    for labels, runs in groups.items():
        row = dict(labels, params=runs[0]["params"], seeds=len(runs), samples=runs[0]["samples"],
                   reconstruction=runs[0]["reconstruction"])
        for metric in METRICS:
            values = np.array([run[metric] for run in runs])
            row[metric] = float(values.mean())
            row[metric + "_std"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        summary.append(row)
    return summary


def report(args, rows, num_train, num_valid, wall_seconds):
    rows = aggregate(rows)
    labels = [k for k in rows[0] if k in LABELS]
    several = len(args.seeds) > 1

    def cell(row, metric, digits):
        text = f"{row[metric]:.{digits}f}"
        return text + (f" ± {row[metric + '_std']:.{digits}f}" if several else "")

    lines = [
        f"# {TITLES[args.experiment]}", "",
        f"Command: `{command(args)}`", "",
        f"Data: {DATA[args.experiment]}; length {args.length}; {num_train} training rows "
        f"({args.steps} Adam steps of batch {args.batch_size}, learning rate {args.learning_rate:g}), "
        f"{num_valid} validation rows (data seed {args.data_seed}). Model seeds "
        f"{', '.join(map(str, args.seeds))}"
        + ("; numbers are mean ± standard deviation over them" if several else "")
        + f". Hybrid encoder filters (64, 128, 128); {args.units} LSTM / ByteNet units; latent size "
        f"{args.latent_dim}; where annealed, β rises linearly from 0 to 1 over the first half of "
        "training. Numbers are validation bits per character with z a posterior sample; total = "
        "rec + KL (the negative ELBO); the mutual-information estimate is bounded by "
        f"log(batch) = {np.log(args.batch_size):.2f} nats. "
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, shared; wall time of the "
        f"runs made by this command: {wall_seconds / 60:.1f} min (runs found in the work "
        "directory are not re-timed; `train s` is each run's own training time).", "",
        "| " + " | ".join(labels) + " | params | rec bpc | KL bpc | total bpc | KL / total "
        "| active units | MI (nats) | train s |",
        "|" + "---|" * (len(labels) + 8),
    ]
    for r in rows:
        lines.append(
            "| " + " | ".join(str(r[k]) for k in labels) + f" | {r['params']} | {cell(r, 'rec', 3)} | "
            f"{cell(r, 'kl', 4)} | {cell(r, 'total', 3)} | {cell(r, 'kl_share', 3)} | "
            f"{r['active']:.1f} | {r['mi']:.2f} | {r['seconds']:.0f} |"
        )
    lines += ["", f"Greedy decodings (seed {args.seeds[0]}) of z ~ N(0, I) and of the posterior "
              "mean of the first validation row:", "",
              "| " + " | ".join(labels) + " | samples from the prior | input → reconstruction |",
              "|" + "---|" * (len(labels) + 2)]
    for r in rows:
        samples = "<br>".join(markdown_cell(s) for s in r["samples"])
        source, rebuilt = r["reconstruction"]
        lines.append("| " + " | ".join(str(r[k]) for k in labels)
                     + f" | {samples} | {markdown_cell(source)} → {markdown_cell(rebuilt)} |")
    write_text_atomically(args.out, "\n".join(lines) + "\n")
    if not args.quick:
        plot(args, rows)


def plot(args, rows):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4))
    if args.experiment == "alpha":
        for annealed, colour in (("yes", "C0"), ("no", "C1")):
            mine = [r for r in rows if r["KL annealing"] == annealed]
            x = [r["α"] for r in mine]
            name = "annealed" if annealed == "yes" else "β = 1"
            for metric, style in (("total", "o-"), ("kl", "o--")):
                axis.errorbar(x, [r[metric] for r in mine], [r[metric + "_std"] for r in mine],
                              fmt=style, color=colour, capsize=3,
                              label=f"{'KL' if metric == 'kl' else metric}, {name}")
        axis.set_xlabel("α (auxiliary weight)")
    elif args.experiment == "bytenet":
        x = [r["layers"] for r in rows]
        for metric, style in (("total", "o-"), ("kl", "o--")):
            axis.errorbar(x, [r[metric] for r in rows], [r[metric + "_std"] for r in rows],
                          fmt=style, capsize=3, label="KL" if metric == "kl" else metric)
        axis.set_xlabel("ByteNet decoder layers")
    else:
        names = [r["model"].split(" (")[0] if "LSTM VAE" not in r["model"] else r["model"] for r in rows]
        axis.bar(names, [r["rec"] for r in rows], label="rec")
        axis.bar(names, [r["kl"] for r in rows], bottom=[r["rec"] for r in rows], label="KL",
                 yerr=[r["total_std"] for r in rows], capsize=3)
        axis.tick_params(axis="x", labelrotation=15, labelsize=7)
    axis.set_ylabel("bits per character")
    axis.legend()
    figure.tight_layout()
    figure.savefig(os.path.splitext(args.out)[0] + ".png", dpi=80)


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    rows, num_train, num_valid = run(args)
    report(args, rows, num_train, num_valid, time.perf_counter() - start)


if __name__ == "__main__":
    main()
