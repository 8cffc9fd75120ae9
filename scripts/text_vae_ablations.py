"""Scaled-down thesis Figs. 5.7, 5.8 and Table 5.2: the hybrid text VAE's ablations and tweets.

Three experiments, chosen with `--experiment`:

- `alpha` (Fig. 5.7): `HybridTextVAE` with the LSTM decoder on PTB character fragments,
  auxiliary weight α swept, with linear KL annealing over the first half of training and
  without it (β = 1 from the first step).
- `bytenet` (Fig. 5.8): the hybrid with the masked-convolution (ByteNet) decoder of
  1 … N layers and α swept: by default the thesis' plain stack (kernel 2, no dilation, no
  skips: receptive field N + 1 characters), with `--bytenet-style dilated_residual` the
  original ByteNet's (receptive field 2**N).
- `tweets` (Tables 5.1 and 5.2): LSTM VAE (input dropout 0.2, 0.5 and 0.8) and the hybrid
  (α = 0.2, LSTM decoder) on SemEval tweets (user ids and urls replaced), the LSTM VAE's
  units chosen so that its parameter count matches the hybrid's (as the thesis: 10.5M vs
  10.8M); rec and KL per tweet in nats beside bits per character, and 100 greedy samples
  from the prior with their diversity (distinct samples, distinct word 4-grams).

Annealed runs follow the thesis' heuristic (`tfrnnx.callbacks.HeuristicKLAnnealing`: β = 0
until the validation loss converges, a ramp over 20% of that, then `--steps-at-full-weight`
steps at β = 1, within `--steps`); `--annealing linear` ramps over the first half instead.

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
import tfrnnx.callbacks
from tfrnnx.experiments.recurrent_dropout_tasks import number_list
from tfrnnx.experiments.run_cache import cached_run
from tfrnnx.experiments.text_vae_runs import fit_and_evaluate, markdown_cell
from tfrnnx.experiments.text_vae_runs import parameter_count, units_matching
from tfrnnx.io_utils import write_results

RESULTS = os.path.join(os.path.dirname(__file__), "..", "docs", "results")
EXPERIMENTS = ("alpha", "bytenet", "tweets")
TWEET_PAD = "\x00"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", required=True, choices=EXPERIMENTS)
    parser.add_argument("--data-dir", default=os.environ.get("TFRNNX_DATA_DIR"))
    parser.add_argument("--length", type=int, default=None,
                        help="fragment length (default 64; tweets: 128)")
    parser.add_argument("--alphas", default=None, help="default 0,0.2,0.5,1 (bytenet: 0,0.2,0.5)")
    parser.add_argument("--bytenet-layers", default="1,2,3,4,5,6")
    parser.add_argument("--bytenet-style", choices=("plain", "dilated_residual"), default="plain")
    parser.add_argument("--annealing", choices=("heuristic", "linear"), default="heuristic")
    parser.add_argument("--check-every", type=int, default=100,
                        help="heuristic: steps between validations")
    parser.add_argument("--steps-at-full-weight", type=int, default=500,
                        help="heuristic: steps at β = 1 after the ramp")
    parser.add_argument("--min-improvement", type=float, default=0.01,
                        help="heuristic: relative validation improvement that still counts")
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
    if args.alphas is None:
        args.alphas = "0,0.2,0.5" if args.experiment == "bytenet" else "0,0.2,0.5,1"
    if args.quick:
        args.length, args.steps, args.batch_size, args.valid_size = 16, 2, 4, 8
        args.latent_dim, args.units, args.alphas, args.bytenet_layers = 4, 8, "0,0.5", "1,2"
        args.check_every, args.steps_at_full_weight = 1, 0
    for name in ("length", "steps", "batch_size", "valid_size", "latent_dim", "units", "check_every"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be positive. Received: {getattr(args, name)}")
    args.alphas = number_list(parser, "--alphas", args.alphas, float)
    args.bytenet_layers = number_list(parser, "--bytenet-layers", args.bytenet_layers, int)
    args.seeds = number_list(parser, "--seeds", args.seeds, int)
    name = f"text_vae_{args.experiment}" + ("_quick" if args.quick else "")
    args.workdir = args.workdir or os.path.join("runs", name)
    args.out = args.out or os.path.join(RESULTS, f"{name}.md")
    return args


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


def lstm_vae(args, vocab_size, seed, units=None, **options):
    units = units or args.units
    return tfrnnx.models.LSTMTextVAE(
        vocab_size=vocab_size, sequence_length=args.length, latent_dim=args.latent_dim,
        encoder_units=units, decoder_units=units,
        embedding_dim=4 if args.quick else 16, seed=seed, **options,
    )


def variants(args, vocab_size):
    """`(key, labels, annealed, build)` of every model of the experiment; `build(seed,
    kl_annealing)` makes it. Models not annealed train at β = 1 from the first step."""
    if args.experiment == "alpha":
        for annealed in (True, False):
            for alpha in args.alphas:
                yield (f"alpha{alpha}_{'annealed' if annealed else 'constant'}",
                       {"α": alpha, "KL annealing": "yes" if annealed else "no"}, annealed,
                       lambda seed, schedule, a=alpha: hybrid(
                           args, vocab_size, seed, aux_weight=a, kl_annealing=schedule))
    elif args.experiment == "bytenet":
        plain = args.bytenet_style == "plain"
        for alpha in args.alphas:
            for layers in args.bytenet_layers:
                yield (f"bytenet{layers}_alpha{alpha:g}",
                       {"α": alpha, "layers": layers, "receptive field": layers + 1 if plain else 2**layers},
                       True,
                       lambda seed, schedule, n=layers, a=alpha: hybrid(
                           args, vocab_size, seed, decoder="bytenet", bytenet_layers=n,
                           bytenet_style=args.bytenet_style, aux_weight=a, kl_annealing=schedule))
    else:
        units = matched_lstm_units(args, vocab_size)
        for p in (0.2, 0.5, 0.8):
            yield (f"lstm_vae_p{p}_u{units}", {"model": f"LSTM VAE (input dropout {p})"}, True,
                   lambda seed, schedule, p=p: lstm_vae(args, vocab_size, seed, word_dropout=p,
                                                        kl_annealing=schedule, units=units))
        yield ("hybrid_lstm", {"model": "hybrid, LSTM decoder (α=0.2)"}, True,
               lambda seed, schedule: hybrid(args, vocab_size, seed, aux_weight=0.2, kl_annealing=schedule))


def matched_lstm_units(args, vocab_size):
    """LSTM VAE units whose parameter count is closest to the hybrid's (thesis: matched)."""
    return units_matching(
        lambda units: parameter_count(lstm_vae(args, vocab_size, 0, units=units), args.length),
        parameter_count(hybrid(args, vocab_size, 0), args.length), 4 * args.units)


def run(args):
    load = tweet_ids if args.experiment == "tweets" else ptb_fragments
    train, valid, vocabulary, pad_id = load(args)
    workdir = os.path.join(args.workdir, settings_key(args))
    linear = (0, max(1, args.steps // 2))
    rows = []
    for seed in args.seeds:
        for key, labels, annealed, build in variants(args, len(vocabulary)):
            def one_run():
                keras.utils.set_random_seed(seed)
                heuristic = None
                if annealed and args.annealing == "heuristic":
                    heuristic = tfrnnx.callbacks.HeuristicKLAnnealing(
                        steps_at_full_weight=args.steps_at_full_weight,
                        min_relative_improvement=args.min_improvement)
                # kl_annealing=None: β = 1 unless the heuristic callback drives it.
                model = build(seed, linear if annealed and args.annealing == "linear" else None)
                return fit_and_evaluate(
                    model, train, valid, vocabulary, batch_size=args.batch_size,
                    learning_rate=args.learning_rate, num_samples=100 if args.experiment == "tweets" else 3,
                    pad_id=pad_id, seed=seed,
                    run_eagerly=args.quick, annealing=heuristic, check_every=args.check_every,
                )

            row = dict(labels, seed=seed, **cached_run(workdir, f"seed{seed}_{key}", one_run))
            if args.experiment == "tweets":
                row.update(tweet_numbers(row, args.length))
            print(key, {k: v for k, v in row.items() if k not in ("samples", "reconstruction")},
                  flush=True)
            rows.append(row)
    return rows, len(train), len(valid)


def tweet_numbers(row, length):
    """Table 5.2's units (nats per tweet: bits per character x length x ln 2, the padding
    included) and the diversity of the samples from the prior."""
    four_grams = set()
    for sample in row["samples"]:
        words = sample.split()
        four_grams.update(tuple(words[i: i + 4]) for i in range(len(words) - 3))
    nats = length * np.log(2)
    return {"rec_nats": row["rec"] * nats, "kl_nats": row["kl"] * nats,
            "distinct_samples": len(set(row["samples"])), "distinct_4grams": len(four_grams)}


# Thesis Table 5.2: rec / KL per tweet, nats (1M tweets, ~10.5M-parameter models).
THESIS_TWEETS = {"LSTM VAE (input dropout 0.2)": (67.4, 1.0), "LSTM VAE (input dropout 0.5)": (77.1, 2.1),
                 "LSTM VAE (input dropout 0.8)": (93.7, 3.8), "hybrid, LSTM decoder (α=0.2)": (58.5, 12.5)}
TWEET_METRICS = ("rec_nats", "kl_nats", "distinct_samples", "distinct_4grams")


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
                     f"--seeds {','.join(map(str, args.seeds))} --data-seed {args.data_seed} "
                     f"--annealing {args.annealing}")
        if args.annealing == "heuristic":
            parts.append(f"--check-every {args.check_every} --steps-at-full-weight {args.steps_at_full_weight}"
                         + (f" --min-improvement {args.min_improvement:g}" if args.min_improvement != 0.01 else ""))
        if args.experiment in ("alpha", "bytenet"):
            parts.append(f"--alphas {','.join(f'{a:g}' for a in args.alphas)}")
        if args.experiment == "bytenet":
            parts.append(f"--bytenet-layers {','.join(map(str, args.bytenet_layers))} "
                         f"--bytenet-style {args.bytenet_style}")
        if args.experiment == "tweets":
            parts.append(f"--min-char-count {args.min_char_count}")
    return " ".join(parts) + " --data-dir $TFRNNX_DATA_DIR"


LABELS = ("α", "KL annealing", "layers", "receptive field", "model")
ANNEALING_TEXT = {
    "linear": "where annealed, β rises linearly from 0 to 1 over the first half of training.",
    "heuristic": "where annealed, β follows the thesis' heuristic (lines 2512-2515): 0 until the "
                 "validation loss (checked every `check_every` steps) converges, then a linear ramp over "
                 "20% of the converged-at step, then `steps_at_full_weight` steps at β = 1 "
                 "(`steps` is the most a run may train; columns `β = 0 converged at` and `steps`).",
}
BYTENET_TEXT = {
    "plain": " ByteNet decoder as the thesis (§5.5.2): kernel-2 masked convolutions, no dilation, "
             "no skip connections, receptive field layers + 1 characters.",
    "dilated_residual": " ByteNet decoder as the original ByteNet: kernel 2, dilations 1, 2, 4, ..., "
                        "residual connections, receptive field 2**layers characters.",
}
METRICS = ("rec", "kl", "total", "kl_share", "active", "mi", "seconds", "steps")
# Thesis Fig. 5.8 (curves only), its findings in words (lines 2846-2853).
BYTENET_FINDINGS = (
    "with alpha = 0 the KL collapses to zero beyond a receptive field of 3",
    "with alpha > 0 the KL stays above zero at every receptive field",
    "a larger alpha gives a larger KL",
)
NEAR_ZERO_KL = 0.01  # bits per character counted as "collapsed"


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
                   reconstruction=runs[0]["reconstruction"],
                   converged_at=[run.get("converged_at") for run in runs])
        for metric in METRICS + tuple(m for m in TWEET_METRICS if m in runs[0]):
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
        f"{args.latent_dim}; {ANNEALING_TEXT[args.annealing]}"
        f"{BYTENET_TEXT[args.bytenet_style] if args.experiment == 'bytenet' else ''} Numbers are validation bits per character with z a posterior sample; total = "
        "rec + KL (the negative ELBO); the mutual-information estimate is bounded by "
        f"log(batch) = {np.log(args.batch_size):.2f} nats. "
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, shared; wall time of the "
        f"runs made by this command: {wall_seconds / 60:.1f} min (runs found in the work "
        "directory are not re-timed; `train s` is each run's own training time).", "",
        "| " + " | ".join(labels) + " | params | rec bpc | KL bpc | total bpc | KL / total "
        "| active units | MI (nats) | steps | β = 0 converged at | train s |",
        "|" + "---|" * (len(labels) + 10),
    ]
    for r in rows:
        converged = ", ".join("-" if c is None else str(c) for c in r["converged_at"])
        lines.append(
            "| " + " | ".join(str(r[k]) for k in labels) + f" | {r['params']} | {cell(r, 'rec', 3)} | "
            f"{cell(r, 'kl', 4)} | {cell(r, 'total', 3)} | {cell(r, 'kl_share', 3)} | "
            f"{r['active']:.1f} | {r['mi']:.2f} | {r['steps']:.0f} | {converged} | {r['seconds']:.0f} |"
        )
    lines += ["", f"Greedy decodings (seed {args.seeds[0]}) of z ~ N(0, I) and of the posterior "
              "mean of the first validation row:", "",
              "| " + " | ".join(labels) + " | samples from the prior | input → reconstruction |",
              "|" + "---|" * (len(labels) + 2)]
    for r in rows:
        samples = "<br>".join(markdown_cell(s) for s in r["samples"][:3])
        source, rebuilt = r["reconstruction"]
        lines.append("| " + " | ".join(str(r[k]) for k in labels)
                     + f" | {samples} | {markdown_cell(source)} → {markdown_cell(rebuilt)} |")
    if args.experiment == "tweets":
        lines += ["", f"Table 5.2 units: rec and KL per tweet in nats (bits per character x {args.length} "
                  "x ln 2; our tweets are padded to that length and the padding is reconstructed too) and "
                  f"the diversity of {len(rows[0]['samples'])} greedy samples from the prior (Table 5.1: "
                  "greedy decoding, so all variation comes from z). Ours | thesis.", "",
                  "| model | params | rec nats | KL nats | distinct samples | distinct word 4-grams |",
                  "|---|---|---|---|---|---|"]
        for r in rows:
            rec, kl = THESIS_TWEETS.get(r["model"], (None, None))
            lines.append(f"| {r['model']} | {r['params']} | {cell(r, 'rec_nats', 1)}"
                         + (f" \\| {rec}" if rec is not None else "") + f" | {cell(r, 'kl_nats', 1)}"
                         + (f" \\| {kl}" if kl is not None else "")
                         + f" | {r['distinct_samples']:.0f} | {r['distinct_4grams']:.0f} |")
    if args.experiment == "tweets":
        lines += ["", "## The thesis' findings (§5.5.3, lines 2866-2877) here", "", *tweet_observations(rows)]
    if args.experiment == "bytenet":
        lines += ["", "## Thesis (Fig. 5.8, curves only) and whether its findings hold here", "",
                  *bytenet_observations(rows)]
    lines += ["", "## Settings where we differ from the thesis, and why", "",
              "| setting | thesis | here | why |", "|---|---|---|---|",
              "| encoder | 5 strided convolutions, 128-512 maps (§5.5.3) | 3, with 64, 128, 128 maps | 2 CPU cores |",
              f"| decoder units | 1000 (tweets) | {args.units} | 2 CPU cores |",
              f"| training | to convergence, decaying learning rate | at most {args.steps} Adam steps at "
              f"{args.learning_rate:g} | time budget |",
              ("| data | 1M tweets, 10k held out | the staged SemEval tweets | the 1M tweets are not staged |"
               if args.experiment == "tweets" else
               "| data | PTB fragments at random positions | the same, at most steps x batch of them | |"),
              f"| seeds | not stated | {len(args.seeds)} | time budget |", ""]
    write_results(args.out, "\n".join(lines) + "\n", {"command": command(args), "rows": rows})
    if not args.quick:
        plot(args, rows)


def tweet_observations(rows):
    """The thesis' statements about Tables 5.1 / 5.2, tested on the mean per model."""
    lstm = sorted((r for r in rows if r["model"].startswith("LSTM VAE")), key=lambda r: r["model"])
    hybrid = [r for r in rows if r["model"].startswith("hybrid")]
    if not lstm or not hybrid:
        return []
    hybrid, lines = hybrid[0], []
    best = min(lstm, key=lambda r: r["total"])
    ratio = hybrid["total"] / best["total"]
    lines.append(f"- Total costs comparable (the hybrid's within 10% of the best LSTM VAE's): "
                 f"{'holds' if ratio <= 1.1 else 'does not hold'} ({hybrid['total']:.3f} vs "
                 f"{best['total']:.3f} bpc, ratio {ratio:.2f}).")
    more = all(hybrid["kl"] > r["kl"] for r in lstm)
    lines.append(f"- The hybrid puts more information into z (KL above every LSTM VAE's): "
                 f"{'holds' if more else 'does not hold'} ({hybrid['kl']:.4f} vs "
                 + ", ".join(f"{r['kl']:.4f}" for r in lstm) + " bpc).")
    kls, recs = [r["kl"] for r in lstm], [r["rec"] for r in lstm]
    rising = all(a < b for a, b in zip(kls, kls[1:])) and all(a < b for a, b in zip(recs, recs[1:]))
    lines.append(f"- LSTM VAE: higher input dropout, more KL and a higher reconstruction cost (Table 5.2, "
                 f"Bowman et al.): {'holds' if rising else 'does not hold'} (KL "
                 + ", ".join(f"{k:.4f}" for k in kls) + "; rec " + ", ".join(f"{r:.3f}" for r in recs) + ").")
    diverse = all(hybrid["distinct_samples"] > r["distinct_samples"] and hybrid["distinct_4grams"]
                  > r["distinct_4grams"] for r in lstm)
    repeats = {r["model"]: sum("@user @user @user" in s for s in r["samples"]) for r in lstm + [hybrid]}
    lines.append(f"- The LSTM VAE repeats \"@user\", the hybrid's samples are more diverse (more distinct "
                 f"samples and word 4-grams than every LSTM VAE): {'holds' if diverse else 'does not hold'} "
                 "(samples containing \"@user @user @user\": "
                 + ", ".join(f"{m} {n}/{len(hybrid['samples'])}" for m, n in repeats.items()) + ").")
    return lines


def bytenet_observations(rows):
    """The thesis' three findings of Fig. 5.8, tested on the mean KL per (α, layers)."""
    # A run whose β = 0 phase never converged trained at β = 0 throughout: it decides nothing.
    unannealed = [r for r in rows if all(c is None for c in r["converged_at"])]
    kl = {(r["α"], r["receptive field"]): r["kl"] for r in rows if r not in unannealed}
    alphas = sorted({a for a, _ in kl})
    lines = [f"- Left out (β = 0 never converged within --steps, so β stayed 0 and the KL is unbounded): "
             + ", ".join(f"α = {r['α']:g}, field {r['receptive field']}" for r in unannealed) + "."
             ] if unannealed else []
    zero = [(f, v) for (a, f), v in kl.items() if a == 0 and f > 3]
    if zero:
        held = all(v < NEAR_ZERO_KL for _, v in zero)
        lines.append(f"- {BYTENET_FINDINGS[0]} (KL < {NEAR_ZERO_KL} bpc): {'holds' if held else 'does not hold'} "
                     f"({', '.join(f'field {f}: {v:.4f}' for f, v in sorted(zero))}).")
    positive = [(a, f, v) for (a, f), v in kl.items() if a > 0]
    if positive:
        held = all(v >= NEAR_ZERO_KL for _, _, v in positive)
        lowest = min(positive, key=lambda item: item[2])
        lines.append(f"- {BYTENET_FINDINGS[1]}: {'holds' if held else 'does not hold'} (lowest: α = "
                     f"{lowest[0]:g}, field {lowest[1]}: {lowest[2]:.4f}).")
    if len(alphas) > 1:
        fields = sorted(f for f in {f for _, f in kl} if all((a, f) in kl for a in alphas))
        ordered = [f for f in fields if all(kl[(a, f)] < kl[(b, f)] for a, b in zip(alphas, alphas[1:]))]
        lines.append(f"- {BYTENET_FINDINGS[2]}: holds at {len(ordered)} of {len(fields)} receptive fields"
                     f" ({', '.join(map(str, ordered)) or 'none'}).")
    return lines


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
        for index, alpha in enumerate(dict.fromkeys(r["α"] for r in rows)):
            mine = [r for r in rows if r["α"] == alpha]
            x = [r["receptive field"] for r in mine]
            for metric, style in (("total", "o-"), ("kl", "o--")):
                axis.errorbar(x, [r[metric] for r in mine], [r[metric + "_std"] for r in mine],
                              fmt=style, color=f"C{index}", capsize=3,
                              label=f"{'KL' if metric == 'kl' else metric}, α = {alpha:g}")
        axis.set_xlabel("receptive field of the ByteNet decoder (characters)")
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
