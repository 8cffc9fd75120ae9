"""Scaled-down thesis Fig. 5.6: hybrid VAE vs LSTM VAE, cost and KL per character vs length.

Trains `tfrnnx.models.HybridTextVAE` (aux_weight α = 0.2 by default, 0.5 or 1 on request; LSTM top) and
`tfrnnx.models.LSTMTextVAE` (input dropout 0.2 and 0.5) on PTB character fragments of each
length. The KL weight follows the thesis' heuristic (`tfrnnx.callbacks.HeuristicKLAnnealing`,
thesis lines 2512-2515): β = 0 until the validation loss converges, then a linear ramp
lasting 20% of the steps that took, then `--steps-at-full-weight` steps at β = 1
(`--annealing linear` restores a fixed ramp over the first half; `--annealing fixed` ramps
from step `--anneal-start` over `--anneal-steps`, as the thesis authors' code does: 1000 and
7000 for the hybrid, with β = `--initial-beta` before it). Reports validation bits
per character of the reconstruction, KL and total (their sum, the negative ELBO), the KL
share, active units and the mutual-information estimate. Every (length, model) row is
cached in `--workdir`, so an interrupted run resumes. Results:
docs/results/text_vae_kl_vs_length.{md,json} and a PNG beside them.

Usage:
    python scripts/text_vae_kl_vs_length.py --data-dir $TFRNNX_DATA_DIR [--max-steps 4000]
    python scripts/text_vae_kl_vs_length.py --quick   # seconds, smoke test
"""

import argparse
import os
import platform
import time

import keras

import tfrnnx
import tfrnnx.callbacks
from tfrnnx.experiments.recurrent_dropout_tasks import check_positive_flags
from tfrnnx.experiments.recurrent_dropout_tasks import number_list
from tfrnnx.experiments.run_cache import cached_run
from tfrnnx.experiments.text_vae_runs import fit_and_evaluate
from tfrnnx.experiments.text_vae_runs import markdown_cell
from tfrnnx.io_utils import script_command
from tfrnnx.io_utils import write_figure_atomically
from tfrnnx.io_utils import write_results

RESULTS = os.path.join(os.path.dirname(__file__), "..", "docs", "results", "text_vae_kl_vs_length.md")
# Thesis Fig. 5.6 gives curves only; its finding, in words (lines 2770-2777).
THESIS_FINDING = ("the LSTM VAE's KL drops to almost zero for fragments longer than 48 characters, "
                  "while the hybrid's ratio between KL and reconstruction stays roughly constant")
# A KL below this (bits per character) counts as "almost zero".
NEAR_ZERO_KL = 0.01
# A KL that moved by more than this fraction over the last LAST_STEPS steps had not settled
# (a chosen threshold: validation noise on 512 fragments is about 1-2%).
STILL_MOVING, LAST_STEPS = 0.05, 1000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("TFRNNX_DATA_DIR"))
    parser.add_argument("--lengths", default="16,32,64,128")
    parser.add_argument("--max-steps", type=int, default=5000, help="training fragments / batch size")
    parser.add_argument("--annealing", choices=("heuristic", "linear", "fixed"), default="heuristic")
    parser.add_argument("--anneal-start", type=int, default=1000, help="fixed: first step of the ramp")
    parser.add_argument("--anneal-steps", type=int, default=7000, help="fixed: length of the ramp")
    parser.add_argument("--learning-rate", type=float, default=2e-3, help="Adam's")
    parser.add_argument("--check-every", type=int, default=100, help="steps between validations")
    parser.add_argument("--patience", type=int, default=3)
    parser.add_argument("--min-improvement", type=float, default=0.02, help="relative")
    parser.add_argument("--duration-fraction", type=float, default=0.5,
                        help="ramp length / converged-at step (the thesis: at least 0.2)")
    parser.add_argument("--steps-at-full-weight", type=int, default=500)
    parser.add_argument("--initial-beta", type=float, default=0.0,
                        help="β before annealing (heuristic, fixed; the thesis: 0). A small value such as 1e-3 "
                             "keeps the KL finite with wide encoders, where at β = 0 it overflows")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--valid-fragments", type=int, default=512)
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(DEFAULT_MODELS),
                        help="default: all three")
    parser.add_argument("--latent-dim", type=int, default=16)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--encoder-filters", default=",".join(map(str, DEFAULT_ENCODER_FILTERS)),
                        help="feature maps of the hybrid's strided convolutions, one per layer")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", default=os.path.join("runs", "text_vae_kl_vs_length"))
    parser.add_argument("--out", default=RESULTS)
    parser.add_argument("--quick", action="store_true", help="tiny run for the smoke test")
    args = parser.parse_args(argv)
    if args.duration_fraction < 0.2:
        parser.error(f"--duration-fraction must be at least 0.2 (the thesis' floor). Received: {args.duration_fraction}")
    if not 0 <= args.initial_beta < 1:
        parser.error(f"--initial-beta must be in [0, 1). Received: {args.initial_beta}")
    if args.quick:
        args.lengths, args.max_steps, args.batch_size, args.valid_fragments = "16", 6, 4, 8
        args.latent_dim, args.units, args.check_every, args.patience = 4, 8, 2, 1
        args.steps_at_full_weight, args.workdir = 1, None
    check_positive_flags(parser, args, ("max_steps", "check_every", "patience", "batch_size",
                                        "valid_fragments", "latent_dim", "units", "anneal_steps"))  # fmt: skip
    if not args.learning_rate > 0:
        parser.error(f"--learning-rate must be positive. Received: {args.learning_rate}")
    if args.anneal_start < 0:
        parser.error(f"--anneal-start must be non-negative. Received: {args.anneal_start}")
    args.lengths = number_list(parser, "--lengths", args.lengths, int, distinct=False)
    args.encoder_filters = tuple(number_list(parser, "--encoder-filters", args.encoder_filters, int, distinct=False))
    if min(args.encoder_filters) < 1:
        parser.error(f"--encoder-filters must be positive. Received: {args.encoder_filters}")
    return args


MODELS = {"hybrid_alpha0.2": "hybrid (α=0.2)", "hybrid_alpha0.5": "hybrid (α=0.5)",
          "hybrid_alpha1": "hybrid (α=1)", "lstm_p0.2": "LSTM VAE (input dropout 0.2)",
          "lstm_p0.5": "LSTM VAE (input dropout 0.5)"}
DEFAULT_MODELS = ("hybrid_alpha0.2", "lstm_p0.2", "lstm_p0.5")
# The scaled-down encoder of the earlier runs; the thesis' has 5 layers of 128-512 maps (§5.5.3).
DEFAULT_ENCODER_FILTERS = (64, 128, 128)


def build_model(args, key, vocab_size, length):
    small = args.quick
    # Only `linear` anneals inside the model; the other schedules are callbacks.
    annealing = (0, max(1, args.max_steps // 2)) if args.annealing == "linear" else None
    common = dict(vocab_size=vocab_size, sequence_length=length, latent_dim=args.latent_dim,
                  kl_annealing=annealing, seed=args.seed, embedding_dim=4 if small else 16)
    if key.startswith("hybrid"):
        return tfrnnx.models.HybridTextVAE(
            encoder_filters=(8, 8) if small else args.encoder_filters, rnn_units=args.units,
            aux_weight=_alpha(key), **common)
    return tfrnnx.models.LSTMTextVAE(encoder_units=args.units, decoder_units=args.units,
                                     word_dropout=float(key.split("_p")[1]), **common)


def run_one(args, key, length):
    fragments, vocabulary = tfrnnx.data.load_ptb_char_fragments(
        args.data_dir, length=length,
        counts={"train": args.max_steps * args.batch_size, "valid": args.valid_fragments},
        seed=args.seed,
    )
    keras.utils.set_random_seed(args.seed)
    model = build_model(args, key, len(vocabulary), length)
    annealing = _annealing_callback(args)
    result = fit_and_evaluate(model, fragments["train"], fragments["valid"], vocabulary,
                              batch_size=args.batch_size, learning_rate=args.learning_rate,
                              seed=args.seed, run_eagerly=args.quick, annealing=annealing,
                              check_every=args.check_every)
    row = {"model": key, "length": length, "rec_bpc": round(result["rec"], 4),
           "kl_bpc": round(result["kl"], 4), "total_bpc": round(result["total"], 4),
           "kl_share": round(result["kl_share"], 4), "active_units": round(result["active"], 1),
           "mutual_info_nats": round(result["mi"], 3), "parameters": result["params"],
           "steps": result["steps"], "train_seconds": round(result["seconds"], 1),
           "sample": result["samples"][0]}
    for name in ("converged_at", "anneal_start", "anneal_steps"):
        row[name] = result.get(name)
    if args.annealing == "fixed":
        row["curve"] = [[step, round(beta, 5), round(rec, 4), round(kl, 4)]
                        for step, beta, rec, kl in result["curve"]]
    # β reached 1 and trained there as asked, or the data ran out first.
    at_full_weight = 0 if args.annealing == "fixed" else args.steps_at_full_weight
    row["schedule_completed"] = annealing is None or (
        annealing.start_step is not None
        and result["steps"] >= annealing.start_step + annealing.duration_steps + at_full_weight)
    print(row, flush=True)
    return row


def _annealing_callback(args):
    """The KL schedule's callback; None where the model anneals itself (`linear`)."""
    if args.annealing == "fixed":
        return tfrnnx.callbacks.KLAnnealing(args.anneal_start, args.anneal_steps,
                                            initial_weight=args.initial_beta)
    if args.annealing == "heuristic":
        return tfrnnx.callbacks.HeuristicKLAnnealing(
            monitor="val_loss", patience=args.patience, min_relative_improvement=args.min_improvement,
            steps_at_full_weight=args.steps_at_full_weight, duration_fraction=args.duration_fraction,
            initial_weight=args.initial_beta)
    return None


def _key(args, key, length):
    settings = (f"{args.annealing}_s{args.max_steps}_c{args.check_every}_p{args.patience}"
                f"_m{args.min_improvement:g}_d{args.duration_fraction:g}_f{args.steps_at_full_weight}_b{args.batch_size}"
                f"_v{args.valid_fragments}_z{args.latent_dim}_u{args.units}_seed{args.seed}")
    if key.startswith("hybrid") and args.encoder_filters != DEFAULT_ENCODER_FILTERS:
        # Only then, so rows cached before the flag existed are still found.
        settings += "_enc" + "-".join(map(str, args.encoder_filters))
    if args.initial_beta:  # likewise: β = 0 rows keep their key
        settings += f"_ib{args.initial_beta:g}"
    if args.annealing == "fixed":
        settings += f"_a{args.anneal_start}+{args.anneal_steps}"
    if args.learning_rate != 2e-3:
        settings += f"_lr{args.learning_rate:g}"
    return f"{key}_len{length}_{settings}"


def _alpha(key):
    """'hybrid_alpha0.5' -> 0.5: the weight of the auxiliary reconstruction loss."""
    return float(key.split("_alpha")[1])



def observations(rows):
    lines = []
    lstm_long = [r for r in rows if r["model"].startswith("lstm") and r["length"] > 48]
    if lstm_long:
        near_zero = all(r["kl_bpc"] < NEAR_ZERO_KL for r in lstm_long)
        values = ", ".join(f"{MODELS[r['model']]} at {r['length']}: {r['kl_bpc']:.4f}" for r in lstm_long)
        lines.append(f"- LSTM VAE KL almost zero (< {NEAR_ZERO_KL} bpc) beyond 48 characters: "
                     f"{'holds' if near_zero else 'does not hold'} ({values}).")
    for key in (k for k in MODELS if k.startswith("hybrid")):
        hybrid = sorted((r for r in rows if r["model"] == key), key=lambda r: r["length"])
        if len(hybrid) < 2:
            continue
        shares = [r["kl_share"] for r in hybrid]
        # "Roughly constant": the smallest share is at least half the largest.
        steady = min(shares) >= 0.5 * max(shares) and min(shares) > 0
        lines.append(f"- {MODELS[key]}: KL / total roughly constant with length (smallest share at least "
                     f"half the largest): {'holds' if steady else 'does not hold'} ("
                     + ", ".join(f"{r['length']}: {r['kl_share']:.3f}" for r in hybrid) + ").")
    moving = [f"{MODELS[r['model']]} at {r['length']}: {before:.4f} → {after:.4f}"
              for r in rows for before, after in [_kl_change(r)] if after is not None
              and abs(after - before) > STILL_MOVING * max(abs(before), 1e-9)]
    if moving:
        lines.append(f"- KL still changing by more than {STILL_MOVING:.0%} over the last {LAST_STEPS} steps "
                     "(validation, bits per character), so the run stopped before its KL settled: "
                     + ", ".join(moving) + ".")
    unfinished = [f"{MODELS[r['model']]} at {r['length']}" for r in rows if not r["schedule_completed"]]
    if unfinished:
        lines.append("- Runs whose schedule did not finish within --max-steps (β = 0 never converged, "
                     "or the ramp was cut): " + ", ".join(unfinished) + "; they decide nothing.")
    return lines


def report(args, command, rows, wall):
    schedule = {
        "heuristic": f"β by the thesis' heuristic: {args.initial_beta:g} until the validation loss (every "
                     f"{args.check_every} steps) stops improving by {args.min_improvement:g} relative for "
                     f"{args.patience} checks, then a linear ramp over {args.duration_fraction:.0%} of the "
                     f"converged-at step, then {args.steps_at_full_weight} steps at β = 1",
        "linear": f"β annealed linearly over the first {max(1, args.max_steps // 2)} steps",
        "fixed": f"β = {args.initial_beta:g} until step {args.anneal_start}, then a linear ramp to 1 over "
                 f"{args.anneal_steps} steps (the thesis authors' schedule), then β = 1 to the end; "
                 f"validated every {args.check_every} steps",
    }[args.annealing]
    lines = [
        "# Text VAEs: cost and KL per character against fragment length (thesis Fig. 5.6, scaled down)", "",
        "Command (repository root; written by the script):", "", f"    {command}", "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, no GPU. Wall time {wall:.0f} s "
        "(rows cached in the work directory are read back, not retrained). "
        f"Seed {args.seed}. Data: PTB characters, fragments from random positions of train "
        f"(at most {args.max_steps} batches of {args.batch_size}) and {args.valid_fragments} of valid.", "",
        f"Training: Adam {args.learning_rate:g}, {schedule}. Validation with z a posterior sample. Bits per character; "
        "total = rec + KL (the negative ELBO).", "",
        f"| length | model | params | steps | {_converged_header(args)} | ramp start + steps | rec bpc | KL bpc "
        "| total bpc | KL / total | active units | MI (nats) | train s | greedy sample |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ramp = "-" if r["anneal_start"] is None else f"{r['anneal_start']} + {r['anneal_steps']}"
        lines.append(
            f"| {r['length']} | {MODELS[r['model']]} | {r['parameters']} | {r['steps']} | "
            f"{r['converged_at'] if r['converged_at'] is not None else '-'} | {ramp} | {r['rec_bpc']:.3f} | "
            f"{r['kl_bpc']:.4f} | {r['total_bpc']:.3f} | {r['kl_share']:.3f} | {r['active_units']:.1f} | "
            f"{r['mutual_info_nats']:.2f} | {r['train_seconds']:.0f} | {markdown_cell(r['sample'][:64])} |")
    lines += [
        "", f"Plot: `{os.path.basename(_plot_path(args.out))}` (total, KL and KL / total against "
        "length" + ("; validation KL during training" if any(r.get("curve") for r in rows) else "") + ").", "",
        "## Thesis (Fig. 5.6, curves only)", "", f"Finding (lines 2770-2777): {THESIS_FINDING}.", "",
        "## The thesis' finding here", "", *observations(rows), "",
        "## Settings where we differ from the thesis, and why", "",
        "| setting | thesis | here | why |", "|---|---|---|---|",
        "| encoder | 5 strided convolutions, 128-512 maps (§5.5.3) | "
        f"{len(args.encoder_filters)}, with {', '.join(map(str, args.encoder_filters))} maps | 2 CPU cores |",
        f"| LSTM units | not stated for Fig. 5.6 (1000 for tweets; the authors' code: 500) | {args.units} | 2 CPU cores |",
        f"| lengths | curves only (the authors' code: 12, 24, 36, 48, 60) | {', '.join(map(str, args.lengths))} characters | |",
        f"| training | to convergence, decaying learning rate | at most {args.max_steps} steps, Adam "
        f"{args.learning_rate:g} | time budget |",
        *(_heuristic_settings(args) if args.annealing == "heuristic" else []),
        *(_fixed_settings(args) if args.annealing == "fixed" else []),
        *([f"| β before annealing | 0 (the authors' code: 1e-3 for the hybrid) | {args.initial_beta:g}, then "
           "the ramp from it to 1 | " + ("the authors' code" if args.annealing == "fixed" else
           "at β = 0 the KL of the thesis' 5-layer encoder overflowed (NaN loss by step 300): BatchNorm "
           "after the projection of z makes z's scale free, and Adam lets it drift") + " |"]
          if args.initial_beta else []),
        f"| latent size, batch | not stated (the authors' code: 50, 64) | {args.latent_dim}, {args.batch_size} "
        "| 2 CPU cores (batch) |",
        "| hybrid decoder | the authors' code: ReLU after the projection of z, last deconvolution 200 maps "
        "| no ReLU there, the encoder's maps in reverse | our `HybridTextVAE` |",
        f"| parameters | not stated | in the table ({_parameter_ratios(rows)}) "
        "| not matched: the hybrid's count grows with the fragment length |", "",
    ]
    write_results(args.out, "\n".join(lines) + "\n", {"command": command, "rows": rows,
                                                      "thesis": {"finding": THESIS_FINDING}})
    if not args.quick:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        curves = [r for r in rows if r.get("curve")]
        figure, axes = plt.subplots(1, 4 if curves else 3, figsize=(18 if curves else 14, 4))
        for key, name in MODELS.items():
            mine = sorted((r for r in rows if r["model"] == key), key=lambda r: r["length"])
            if not mine:
                continue
            lengths = [r["length"] for r in mine]
            axes[0].plot(lengths, [r["total_bpc"] for r in mine], "o-", label=name)
            axes[1].plot(lengths, [r["kl_bpc"] for r in mine], "o--", label=name)
            axes[2].plot(lengths, [r["kl_share"] for r in mine], "o-", label=name)
        for axis, title in zip(axes, ("total (bits/char)", "KL (bits/char)", "KL / total")):
            axis.set_xscale("log", base=2)
            axis.set_xlabel("fragment length")
            axis.set_title(title)
            axis.legend(fontsize=8)
        for axis in axes[1:3]:  # from zero, so a flat share looks flat
            axis.set_ylim(bottom=0)
        for r in curves:  # validation KL during training: did it settle?
            axes[3].plot([p[0] for p in r["curve"]], [p[3] for p in r["curve"]],
                         label=f"{MODELS[r['model']]}, {r['length']}")
        if curves:
            axes[3].set_yscale("log")  # the β ≈ 0 phase peaks far above the end
            axes[3].set_xlabel("step")
            axes[3].set_title("validation KL (bits/char) during training")
            axes[3].legend(fontsize=7)
        figure.tight_layout()
        write_figure_atomically(figure, _plot_path(args.out), dpi=80)


def _converged_header(args):
    return (f"β = {args.initial_beta:g} converged at" if args.annealing == "heuristic"
            else "converged at (heuristic only)")


def _kl_change(row):
    """(KL `LAST_STEPS` steps before the last validation, KL at it), or (None, None) without a curve."""
    curve = row.get("curve") or []
    if not curve:
        return None, None
    last_step, *_, last_kl = curve[-1]
    earlier = [point for point in curve if point[0] <= last_step - LAST_STEPS]
    return (earlier[-1][3], last_kl) if earlier else (None, None)


def _heuristic_settings(args):
    return [
        "| annealing | heuristic, two runs (β = 0 run, then a fresh run annealed after its convergence) "
        "| one run: the β = 0 phase is continued, not restarted | the restarted run would repeat the β = 0 phase |",
        "| convergence of the β = 0 run | not defined | validation loss not better by "
        f"{args.min_improvement:g} (relative) for {args.patience} checks {args.check_every} steps apart | the thesis gives no rule |",
        f"| ramp length | at least 20% of the converged-at step | {args.duration_fraction:.0%} | within the thesis' rule |",
    ]


def _fixed_settings(args):
    return [
        f"| annealing | heuristic (lines 2512-2515); the authors' code ramps from step 1000 over 7000 "
        f"| from step {args.anneal_start} over {args.anneal_steps} | the authors' numbers; within the "
        "heuristic if the β ≈ 0 model has converged by the start (the twin's curves show how far it got) and "
        "the ramp is at least 20% of the start |",
    ]


def _plot_path(out):
    return os.path.splitext(out)[0] + ".png"


def _parameter_ratios(rows):
    """'the hybrid has 1.7-3.2x the LSTM VAE's': parameter counts across lengths."""
    ratios = []
    for length in sorted({r["length"] for r in rows}):
        counts = {r["model"]: r["parameters"] for r in rows if r["length"] == length}
        lstm = [v for k, v in counts.items() if k.startswith("lstm")]
        hybrid = [v for k, v in counts.items() if k.startswith("hybrid")]
        if hybrid and lstm:
            ratios.append(hybrid[0] / lstm[0])
    if not ratios:
        return "no hybrid and LSTM VAE of one length in this run to compare"
    return f"the hybrid has {min(ratios):.1f}-{max(ratios):.1f}x the LSTM VAE's"


def main(argv=None):
    args = parse_args(argv)
    command = script_command(__file__, argv)
    started = time.perf_counter()
    rows = []
    for length in args.lengths:
        for key in dict.fromkeys(args.models):
            rows.append(cached_run(args.workdir, _key(args, key, length), lambda: run_one(args, key, length)))
            report(args, command, rows, time.perf_counter() - started)
    return rows


if __name__ == "__main__":
    main()
