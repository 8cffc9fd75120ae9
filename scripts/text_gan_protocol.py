"""Thesis Table 5.4 at a small budget: LM vs text GANs under one search-and-seeds protocol.

For every model (LM, Conv-Deconv and Conv-LSTM WGAN-GP, SeqGAN-reinforce/step/rollout,
LeakGAN-leak/noleak/mixed) a random search over the model's declared space minimises FD
(MiniLM embeddings of samples vs held-out real sentences); the best configuration is then
retrained with several seeds and every metric is reported as mean ± sd over the seeds, with
samples of each model (Table 5.3). Every run keeps its own scores, samples and TensorBoard
logs under --workdir, and a rerun resumes: finished trials and seeds are not trained again.

    python scripts/text_gan_protocol.py --data-dir /work/shared/data
    python scripts/text_gan_protocol.py --quick --out /tmp/t.md --workdir /tmp/t  # smoke run
"""

import argparse
import hashlib
import json
import os
import platform
import time

import keras
import numpy as np

from tfrnnx.data.snli_sentences import load_snli_sentences
from tfrnnx.experiments import text_gans
from tfrnnx.experiments.text_metrics import CachedEmbedder
from tfrnnx.io_utils import script_command
from tfrnnx.io_utils import write_figure_atomically
from tfrnnx.io_utils import write_results
from tfrnnx.io_utils import write_text_atomically
from tfrnnx.metrics import MiniLMEncoder
from tfrnnx.metrics import train_language_model
from tfrnnx.metrics import unique_ngram_count
from tfrnnx.protocol import RandomSearch
from tfrnnx.protocol import SeedRepeats
from tfrnnx.protocol.records import mean_std

# The page's columns; unique 4-grams are counted among each run's samples, as the thesis.
HEADERS = {
    "unique4_count": "unique 4-grams ↑",
    "bleu4": "BLEU-4 ↑",
    "self_bleu4": "self-BLEU-4 ↓",
    "fd": "FD ↓",
    "lm_score": "LM score ↓",
    "reverse_lm": "reverse LM ↓",
}
# Thesis Table 5.4 (line 3096): (mean, sd) per metric; unique 4-grams counted over its samples.
THESIS_TABLE_5_4 = {
    "lm": {"unique4_count": (43.5e3, 1.7e3), "bleu4": (0.204, 0.005), "self_bleu4": (0.21, 0.008),
           "fd": (0.273, 0.001), "lm_score": (28.7, 1.3), "reverse_lm": (80.3, 1.7),
           "human": (3.37, 0.08)},
    "conv_lstm": {"unique4_count": (35e3, 1.4e3), "bleu4": (0.197, 0.003), "self_bleu4": (0.34, 0.02),
                  "fd": (1.464, 0.087), "lm_score": (221, 15), "reverse_lm": (2273, 358),
                  "human": (1.4, 0.1)},
    "conv_deconv": {"unique4_count": (24.9e3, 1.6e3), "bleu4": (0.08, 0.02), "self_bleu4": (0.45, 0.11),
                    "fd": (1.81, 0.11), "lm_score": (2800, 1100), "reverse_lm": (4000, 0.3),
                    "human": (1.88, 0.2)},
    "seqgan_reinforce": {"unique4_count": (34.9e3, 0.7e3), "bleu4": (0.225, 0.005),
                         "self_bleu4": (0.226, 0.004), "fd": (0.316, 0.005), "lm_score": (27.1, 0.36),
                         "reverse_lm": (94.6, 1.4), "human": (3.49, 0.22)},
    "seqgan_step": {"unique4_count": (56.2e3, 1.6e3), "bleu4": (0.192, 0.002), "self_bleu4": (0.207, 0.006),
                    "fd": (0.364, 0.01), "lm_score": (37.5, 0.6), "reverse_lm": (80.7, 1.4),
                    "human": (3.27, 0.16)},
    "seqgan_rollout": {"unique4_count": (38.2e3, 0.8e3), "bleu4": (0.213, 0.005),
                       "self_bleu4": (0.217, 0.007), "fd": (0.348, 0.006), "lm_score": (61.7, 5.4),
                       "reverse_lm": (106.6, 1.5), "human": (2.78, 0.08)},
    "leakgan_leak": {"unique4_count": (45e3, 1.3e3), "bleu4": (0.219, 0.007), "self_bleu4": (0.245, 0.01),
                     "fd": (0.4, 0.009), "lm_score": (67.9, 4), "reverse_lm": (114.3, 1.6),
                     "human": (2.47, 0.28)},
    "leakgan_noleak": {"unique4_count": (54.4e3, 2.8e3), "bleu4": (0.193, 0.008),
                       "self_bleu4": (0.21, 0.009), "fd": (0.385, 0.02), "lm_score": (34.9, 1.5),
                       "reverse_lm": (87.4, 1.5), "human": (3.35, 0.22)},
    "leakgan_mixed": {"unique4_count": (45.3e3, 2.4e3), "bleu4": (0.21, 0.008), "self_bleu4": (0.23, 0.011),
                      "fd": (0.352, 0.008), "lm_score": (35.9, 1.7), "reverse_lm": (99.5, 3.9),
                      "human": (3.22, 0.15)},
}  # fmt: skip
WGAN_MODELS = ("conv_deconv", "conv_lstm")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("TFRNNX_DATA_DIR"))
    parser.add_argument("--out", default=os.path.join("docs", "results", "text_gans.md"))
    parser.add_argument("--workdir", default=None,
                        help="per-run scores, samples, logs (default runs/text_gans, "
                        "runs/text_gans_quick with --quick)")  # fmt: skip
    parser.add_argument("--models", nargs="+", default=list(text_gans.MODELS),
                        choices=text_gans.MODELS)  # fmt: skip
    parser.add_argument("--num-trials", type=int, default=100)
    parser.add_argument("--num-seeds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=2000,
                        help="LM training steps per run, also the discrete GANs' likelihood "
                             "pretraining")
    parser.add_argument("--adversarial-steps", type=int, default=None,
                        help="discrete-GAN steps after the pretraining (default --steps // 2)")
    parser.add_argument("--wgan-steps", type=int, default=None,
                        help="generator steps of a WGAN-GP run (each after up to critic_steps "
                        "critic steps; default --steps)")  # fmt: skip
    parser.add_argument("--num-samples", type=int, default=1000)
    parser.add_argument("--num-references", type=int, default=1000)
    parser.add_argument("--max-train", type=int, default=None, help="cap on training sentences")
    parser.add_argument("--max-tokens", type=int, default=15)
    parser.add_argument("--tokenizer", choices=["sentencepiece", "word"], default="sentencepiece")
    parser.add_argument("--vocab-size", type=int, default=4000)
    parser.add_argument("--lm-units", type=int, default=128, help="LM-score model size")
    parser.add_argument("--lm-epochs", type=int, default=2)
    parser.add_argument("--reverse-units", type=int, default=64)
    parser.add_argument("--reverse-epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="seconds-long smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        # FD needs more sentences than the 384 MiniLM dimensions; everything else is tiny.
        args.num_trials, args.num_seeds, args.steps, args.wgan_steps = 2, 2, 3, 2
        args.adversarial_steps = 2
        args.num_samples, args.num_references, args.max_train = 400, 400, 500
        args.max_tokens, args.tokenizer, args.vocab_size = 12, "word", 2000
        args.lm_units, args.lm_epochs, args.reverse_units, args.reverse_epochs = 8, 1, 8, 1
    if not args.data_dir:
        parser.error("--data-dir is required (or set TFRNNX_DATA_DIR)")
    if args.workdir is None:
        args.workdir = os.path.join("runs", "text_gans_quick" if args.quick else "text_gans")
    if args.adversarial_steps is None:
        args.adversarial_steps = args.steps // 2
    return args


# Settings that change what a finished run means; a resumed workdir must have the same.
_RUN_SETTINGS = ("steps", "adversarial_steps", "wgan_steps", "num_samples", "num_references", "max_train",
                 "max_tokens", "tokenizer", "vocab_size", "lm_units", "lm_epochs",
                 "reverse_units", "reverse_epochs", "seed")  # fmt: skip


def check_workdir_settings(args):
    """Records the run settings in the workdir, or refuses a workdir made with others."""
    settings = {name: getattr(args, name) for name in _RUN_SETTINGS}
    path = os.path.join(args.workdir, "settings.json")
    if os.path.exists(path):
        with open(path) as f:
            recorded = json.load(f)
        changed = {k: (recorded.get(k), v) for k, v in settings.items() if recorded.get(k) != v}
        if changed:
            raise ValueError(
                f"--workdir {args.workdir} holds runs made with other settings "
                f"(name: (recorded, now)): {changed}. Use another --workdir. Received: "
                f"workdir={args.workdir!r}"
            )
    else:
        write_text_atomically(path, json.dumps(settings, indent=2) + "\n")


def _steps(model, args):
    wgan = model in WGAN_MODELS and args.wgan_steps is not None
    return args.wgan_steps if wgan else args.steps


def run_model(model, args, corpus, evaluate):
    """Search then seeds for one model; returns its row of the table and its samples."""
    directory = os.path.join(args.workdir, model)
    # Search trials are scored without the reverse LM (thesis lines 3063-3067); the seed
    # repeats of the best configuration with every metric.
    trial_fns = {
        reverse_lm: text_gans.make_trial_fn(
            model, corpus, evaluate, _steps(model, args), args.num_samples,
            adversarial_steps=args.adversarial_steps, reverse_lm=reverse_lm)
        for reverse_lm in (False, True)
    }  # fmt: skip
    start = time.time()
    search = RandomSearch(
        trial_fns[False], text_gans.default_space(model), os.path.join(directory, "search"),
        objective="fd", direction="min", num_trials=args.num_trials, seed=args.seed,
    )  # fmt: skip
    search.run()
    best = search.best_hparams()
    # Keyed by the configuration: a search extended later may pick another best one.
    key = hashlib.sha1(json.dumps(best, sort_keys=True).encode()).hexdigest()[:10]
    repeats = SeedRepeats(trial_fns[True], best, os.path.join(directory, "seeds", key),
                          seeds=[args.seed + 1000 + i for i in range(args.num_seeds)])  # fmt: skip
    repeats.run()
    summary = repeats.summary()
    runs = repeats.runs()
    train_s = sum(r["metrics"]["train_s"] for r in runs + search.results())
    eval_s = sum(r["metrics"]["eval_s"] for r in runs + search.results())
    search_train = sum(r["metrics"]["train_s"] for r in search.results())
    search_eval = sum(r["metrics"]["eval_s"] for r in search.results())
    seed_samples = [_read_samples(repeats.run_dir(r["seed"])) for r in runs]
    # The thesis counts unique 4-grams (the evaluator's `unique4` is their share).
    summary.update(mean_std([{"metrics": {"unique4_count": unique_ngram_count(s, n=4)}}
                             for s in seed_samples]))  # fmt: skip
    row = {
        "model": model,
        "summary": summary,
        "trial_fd": [r["metrics"]["fd"] for r in search.results()],
        "best_trial_fd": search.best_record()["metrics"]["fd"],
        "best": best,
        "trials": len(search.results()),
        "train_s": train_s,
        "eval_s": eval_s,
        "search_eval_share": search_eval / max(search_eval + search_train, 1e-9),
        "wall_s": time.time() - start,
    }
    return row, seed_samples[0]


def _read_samples(run_dir):
    with open(os.path.join(run_dir, "samples.txt")) as f:
        return [line.rstrip("\n") for line in f]


def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    os.makedirs(args.workdir, exist_ok=True)
    check_workdir_settings(args)
    sentences = load_snli_sentences(args.data_dir, split="devtest")
    corpus = text_gans.prepare_corpus(
        sentences, num_references=args.num_references, max_tokens=args.max_tokens,
        tokenizer=args.tokenizer, vocab_size=args.vocab_size, max_train=args.max_train,
        seed=args.seed,
    )  # fmt: skip
    print(f"{corpus.total} sentences, {corpus.kept} of <= {args.max_tokens} tokens; train "
          f"{len(corpus.train)}, references {len(corpus.references)}, vocabulary "
          f"{len(corpus.vocabulary)}", flush=True)  # fmt: skip
    lm_start = time.time()
    # Kept in the workdir so that a resumed run scores new runs with the same LM.
    lm_path = os.path.join(args.workdir, "scoring_lm.keras")
    if os.path.exists(lm_path):
        scoring_lm = keras.saving.load_model(lm_path, compile=False)
    else:
        scoring_lm = train_language_model(
            corpus.train, vocabulary=corpus.vocabulary, embedding_dim=64, units=args.lm_units,
            epochs=args.lm_epochs, batch_size=64, learning_rate=1e-2, seed=args.seed,
        )  # fmt: skip
        scoring_lm.save(lm_path + ".tmp.keras")
        os.replace(lm_path + ".tmp.keras", lm_path)
    lm_seconds = time.time() - lm_start
    evaluate = text_gans.build_evaluator(
        corpus, scoring_lm, CachedEmbedder(MiniLMEncoder()),
        reverse_units=args.reverse_units, reverse_epochs=args.reverse_epochs,
    )  # fmt: skip
    real = evaluate(list(corpus.train[: args.num_samples]), args.seed)
    real["unique4_count"] = unique_ngram_count(list(corpus.train[: args.num_samples]), n=4)
    rows, samples = [], {}
    for model in args.models:
        row, samples[model] = run_model(model, args, corpus, evaluate)
        rows.append(row)
        print(model, json.dumps({k: [round(v, 4) for v in mv] for k, mv in row["summary"].items()
                                 if k in HEADERS}), flush=True)  # fmt: skip
    wall = time.time() - start
    command = script_command(__file__, argv)
    figures = write_figures(args.out, rows)
    write_results(args.out,
                  report(args, command, corpus, lm_seconds, real, rows, samples, wall, figures),
                  twin(args, command, real, rows))  # fmt: skip
    print(f"wrote {args.out} ({wall:.0f} s)", flush=True)
    return rows


def twin(args, command, real, rows):
    """The JSON twin: one row per model, `<metric>_mean` / `<metric>_sd` over the seeds."""
    table = []
    for row in rows:
        entry = {"model": row["model"], "num_seeds": args.num_seeds, "num_trials": row["trials"],
                 "search_eval_share": round(row["search_eval_share"], 4)}
        for name in (*HEADERS, "unique4"):
            mean, sd = row["summary"][name]
            entry[f"{name}_mean"], entry[f"{name}_sd"] = float(mean), float(sd)
        entry["trial_fd"] = [float(v) for v in row["trial_fd"]]
        entry["best_hparams"] = row["best"]
        table.append(entry)
    observations = [{"observation": label, "holds": holds, "evidence": evidence}
                    for label, _, holds, evidence in thesis_observations(rows)]  # fmt: skip
    return {"command": command.strip(), "rows": table,
            "real_training_sentences": {name: float(real[name]) for name in (*HEADERS, "unique4")},
            "thesis": THESIS_TABLE_5_4, "observations": observations}  # fmt: skip


def _number(value, name):
    if name == "unique4_count":
        return f"{value / 1000:.1f}k" if value >= 1000 else f"{value:.0f}"
    if name in ("bleu4", "self_bleu4", "fd"):
        return f"{value:.3f}"
    return f"{value:.1f}"


def _mean_sd(pair, name):
    mean, sd = pair
    if name == "unique4_count" and mean >= 1000:  # both in thousands, as the thesis
        return f"{mean / 1000:.1f}k ± {sd / 1000:.1f}k"
    return f"{_number(mean, name)} ± {_number(sd, name)}"


HIGHER_IS_BETTER = {"unique4_count", "unique4", "bleu4"}


def _better(name, a, b):
    """Whether the (mean, sd) `a` is better than `b` on metric `name` by more than both sds."""
    sign = 1.0 if name in HIGHER_IS_BETTER else -1.0
    return sign * (a[0] - b[0]) > a[1] + b[1]


def compare_with_lm(rows):
    """Per metric, the models better than the LM by more than the two sds added together."""
    by_model = {row["model"]: row["summary"] for row in rows}
    if "lm" not in by_model:
        return ["(the LM was not run)"]
    if np.isnan(by_model["lm"]["fd"][1]):
        return ["(one seed: no sd to compare against)"]
    lines = [
        "A model counts as better than the LM on a metric when its mean is better by more "
        "than the sum of the two seed sds (a rough, conservative test with few seeds).",
        "",
    ]
    for name in HEADERS:
        better = [
            text_gans.MODEL_TITLES[model]
            for model, summary in by_model.items()
            if model != "lm" and _better(name, summary[name], by_model["lm"][name])
        ]
        lines.append(f"- {HEADERS[name]}: " + (", ".join(better) if better else "none"))
    return lines


def _spread(values):
    """Interquartile range of the trial FDs over their median (scale-free)."""
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return float((q3 - q1) / median)


def thesis_observations(rows):
    """The thesis' statements on Table 5.4 and Fig. 5.11, each checked on our rows.

    Returns `(label, statement, holds, evidence)` tuples; `holds` is True, False, or None
    where a model the statement needs was not run.
    """
    by = {row["model"]: row for row in rows}
    mean = lambda model, name: by[model]["summary"][name][0]  # noqa: E731
    pair = lambda model, name: by[model]["summary"][name]  # noqa: E731
    title = text_gans.MODEL_TITLES
    discrete = [m for m in text_gans.MODELS if m not in ("lm", *WGAN_MODELS) and m in by]
    gans = [m for m in by if m != "lm"]
    out = []

    def check(label, statement, needed, decide, uses_sd=False):
        if not all(m in by for m in needed):
            out.append((label, statement, None, "not run: needs " + ", ".join(needed)))
        elif uses_sd and any(np.isnan(by[m]["summary"]["fd"][1]) for m in needed):
            out.append((label, statement, None, "one seed: no sd to compare against"))
        else:
            holds, evidence = decide()
            out.append((label, statement, bool(holds), evidence))

    def discrete_beat_continuous():
        parts, holds = [], True
        for name in ("fd", "lm_score", "reverse_lm"):
            worst = max(mean(m, name) for m in discrete)
            best = min(mean(m, name) for m in WGAN_MODELS)
            holds &= worst < best
            parts.append(f"{HEADERS[name]} worst discrete {_number(worst, name)} vs best "
                         f"WGAN-GP {_number(best, name)}")  # fmt: skip
        return holds, "; ".join(parts)

    check("(i)", "discrete GANs outperform the continuous (WGAN-GP) ones",
          [*WGAN_MODELS, *(discrete or ["a discrete GAN"])], discrete_beat_continuous)  # fmt: skip

    def reinforce_precision():
        lm_score = mean("seqgan_reinforce", "lm_score") < mean("lm", "lm_score")
        reverse = mean("seqgan_reinforce", "reverse_lm") > mean("lm", "reverse_lm")
        return lm_score and reverse, (
            f"LM score {_mean_sd(pair('seqgan_reinforce', 'lm_score'), 'lm_score')} vs LM "
            f"{_mean_sd(pair('lm', 'lm_score'), 'lm_score')} (lower: {lm_score}); reverse LM "
            f"{_mean_sd(pair('seqgan_reinforce', 'reverse_lm'), 'reverse_lm')} vs LM "
            f"{_mean_sd(pair('lm', 'reverse_lm'), 'reverse_lm')} (higher: {reverse})"
        )

    check("(ii)", "SeqGAN-reinforce has a lower LM score but a higher reverse-LM score than the LM",
          ["lm", "seqgan_reinforce"], reinforce_precision)  # fmt: skip

    # "Most GAN models": in the thesis' own table 4 of the 6 discrete GANs (and neither
    # WGAN-GP model) are above the LM, so the statement is read over the discrete GANs.
    def most_beat_bleu():
        higher = [m for m in discrete if mean(m, "bleu4") > mean("lm", "bleu4")]
        return 2 * len(higher) > len(discrete), (
            f"{len(higher)} of {len(discrete)} discrete GANs above the LM's BLEU-4 "
            f"{mean('lm', 'bleu4'):.3f}" + (f" ({', '.join(title[m] for m in higher)})" if higher else "")
        )

    check("(iii)", "most (discrete) GANs reach a higher BLEU-4 than the LM",
          ["lm", *(discrete or ["a discrete GAN"])], most_beat_bleu)  # fmt: skip

    # The thesis: the LM has the lower FD, while the LM score prefers SeqGAN-reinforce.
    def nobody_convincing():
        fd_better = [m for m in gans if _better("fd", pair(m, "fd"), pair("lm", "fd"))]
        lm_wins = _better("lm_score", pair("lm", "lm_score"), pair("seqgan_reinforce", "lm_score"))
        return not fd_better and not lm_wins, (
            f"GANs better than the LM on FD by more than both sds: "
            f"{', '.join(title[m] for m in fd_better) or 'none'}; LM score LM "
            f"{_mean_sd(pair('lm', 'lm_score'), 'lm_score')} vs SeqGAN-reinforce "
            f"{_mean_sd(pair('seqgan_reinforce', 'lm_score'), 'lm_score')} (the LM better by "
            f"more than both sds: {lm_wins})"
        )

    check("(iv)", "no GAN is convincingly better than the LM on FD, and the LM is not "
          "convincingly better than SeqGAN-reinforce on the LM score",
          ["lm", "seqgan_reinforce"], nobody_convincing, uses_sd=True)  # fmt: skip

    def leak_no_help():
        leak, noleak = pair("leakgan_leak", "fd"), pair("leakgan_noleak", "fd")
        return not _better("fd", leak, noleak), (
            f"FD LeakGAN-leak {_mean_sd(leak, 'fd')} vs LeakGAN-noleak {_mean_sd(noleak, 'fd')}"
        )

    check("(v)", "access to the discriminator's state (LeakGAN-leak) does not improve on "
          "LeakGAN-noleak", ["leakgan_leak", "leakgan_noleak"], leak_no_help, uses_sd=True)  # fmt: skip

    def pretraining_needed():
        reasonable = [m for m in gans if mean(m, "fd") <= 2 * mean("lm", "fd")]
        unpretrained = [m for m in reasonable if m in WGAN_MODELS]
        return not unpretrained, (
            "GANs within twice the LM's FD: " + (", ".join(title[m] for m in reasonable) or "none")
            + "; all start from the likelihood-pretrained generator" * (not unpretrained)
        )

    check("(vi)", "every GAN with reasonable results was pretrained by likelihood",
          ["lm", *WGAN_MODELS], pretraining_needed)  # fmt: skip

    def lm_most_stable():
        spreads = {m: _spread(by[m]["trial_fd"]) for m in by}
        less_stable = [m for m in gans if spreads[m] > spreads["lm"]]
        return len(less_stable) == len(gans), (
            "interquartile range of the trial FDs over their median: "
            + ", ".join(f"{title[m]} {spreads[m]:.2f}" for m in by)
        )

    check("Fig. 5.11", "GAN models are considerably less stable across search trials than the LM",
          ["lm", *(gans or ["a GAN"])], lm_most_stable)  # fmt: skip

    def fortunate_seed():
        lucky = [m for m in by if by[m]["best_trial_fd"] < mean(m, "fd")]
        return 2 * len(lucky) > len(by), (
            f"the best search trial's FD is below its configuration's seed mean for "
            f"{len(lucky)} of {len(by)} models"
        )

    check("line 2982", "the best result of a search usually comes from a fortunate seed",
          list(by), fortunate_seed)  # fmt: skip

    def low_generator_rates():
        low, high = text_gans.default_space(discrete[0])["generator_learning_rate"][1:]
        middle = float(np.sqrt(low * high))
        rates = {m: by[m]["best"]["generator_learning_rate"] for m in discrete}
        low_count = sum(r < middle for r in rates.values())
        # "Generally" (line 3145): most of the searches, as "usually" for the fortunate seed.
        return 2 * low_count > len(rates), (
            f"{low_count} of {len(rates)} below the search range's geometric middle; "
            f"best generator learning rates (search range {low:g}-{high:g}, geometric middle "
            f"{middle:.1e}): " + ", ".join(f"{title[m]} {r:.1e}" for m, r in rates.items())
        )

    check("lines 3145-3150", "the search favours low generator learning rates",
          discrete or ["a discrete GAN"], low_generator_rates)  # fmt: skip
    return out


def _verdict(holds):
    return {True: "holds", False: "does not hold", None: "not checked"}[holds]


def figure_paths(out):
    stem = os.path.splitext(out)[0]
    return {"trials": stem + "_trials.png", "bleu_lm": stem + "_bleu_lm.png",
            "fd_unique": stem + "_fd_unique.png"}  # fmt: skip


def write_figures(out, rows):
    """Figs. 5.11 (trial FDs per model), 5.12 (−BLEU-4 vs LM score), 5.13 (FD, unique 4-grams)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = figure_paths(out)
    titles = [text_gans.MODEL_TITLES[r["model"]].replace(" (WGAN-GP)", "\n(WGAN-GP)") for r in rows]
    figure, axis = plt.subplots(figsize=(1.1 * len(rows) + 2, 3.6))
    axis.boxplot([r["trial_fd"] for r in rows], showfliers=False)
    jitter = np.random.default_rng(0)
    for i, row in enumerate(rows, start=1):
        x = i + jitter.uniform(-0.15, 0.15, len(row["trial_fd"]))
        axis.plot(x, row["trial_fd"], "o", markersize=3, alpha=0.6)
    axis.set_xticks(range(1, len(rows) + 1), titles, rotation=30, ha="right", fontsize=7)
    axis.set_yscale("log")
    axis.set_ylabel("FD of a search trial (log)")
    axis.set_title("Fig. 5.11: FD of every search trial", fontsize=9)
    figure.tight_layout()
    write_figure_atomically(figure, paths["trials"])
    plt.close(figure)

    # Fig. 5.12 leaves out the WGAN-GP models, as the thesis (far worse than the rest).
    shown = [r for r in rows if r["model"] not in WGAN_MODELS]
    figure, axis = plt.subplots(figsize=(5, 4))
    for index, row in enumerate(shown):
        (bleu, bleu_sd), (score, score_sd) = row["summary"]["bleu4"], row["summary"]["lm_score"]
        axis.errorbar(-bleu, score, xerr=bleu_sd, yerr=score_sd, fmt="o", capsize=2)
        # Staggered labels: SeqGAN variants often sit on one point.
        axis.annotate(text_gans.MODEL_TITLES[row["model"]], (-bleu, score), fontsize=7,
                      textcoords="offset points", xytext=(4, 4 - 9 * (index % 3)))  # fmt: skip
    axis.set_yscale("log")  # a failed GAN's score is orders of magnitude above the rest
    axis.set_xlabel("−BLEU-4 (lower is better)")
    axis.set_ylabel("LM score (log; lower is better)")
    axis.set_title("Fig. 5.12: best models, mean ± sd over seeds", fontsize=9)
    figure.tight_layout()
    write_figure_atomically(figure, paths["bleu_lm"])
    plt.close(figure)

    figure, axes = plt.subplots(1, 2, figsize=(1.2 * len(rows) + 4, 3.6))
    for axis, name in zip(axes, ("fd", "unique4_count")):
        means = [r["summary"][name][0] for r in rows]
        sds = [r["summary"][name][1] for r in rows]
        axis.bar(range(len(rows)), means, yerr=sds, capsize=2)
        axis.set_xticks(range(len(rows)), titles, rotation=30, ha="right", fontsize=7)
        axis.set_title(HEADERS[name], fontsize=9)
        if name == "fd":
            axis.set_yscale("log")
    figure.suptitle("Fig. 5.13 (no human evaluation here): mean ± sd over seeds", fontsize=9)
    figure.tight_layout()
    write_figure_atomically(figure, paths["fd_unique"])
    plt.close(figure)
    return paths


def _settings_differ(args, corpus):
    """(setting, thesis, ours, why) rows of the page's settings table."""
    budget = "the 2-CPU time budget of one run of a few hours"
    return [
        ("data", "all unique SNLI sentences (600k), SentencePiece 4k",
         f"SNLI dev+test sentences ({corpus.total}), {args.tokenizer} vocabulary of "
         f"{len(corpus.vocabulary)}", "full SNLI train is not staged"),
        ("search trials per model", "100", str(args.num_trials), budget),
        ("seeds of the best configuration", "7", str(args.num_seeds), budget),
        ("training", "to convergence (not stated)",
         f"{args.steps} likelihood steps (LM and GAN pretraining), {args.adversarial_steps} "
         f"adversarial steps, {args.wgan_steps or args.steps} WGAN-GP generator steps", budget),
        ("model sizes", "not stated", "embedding 32-64, 64-128 LSTM units (searched)", budget),
        ("samples per run", "not stated (counts of 25k-56k unique 4-grams)",
         str(args.num_samples), "unique 4-gram counts grow with the number of samples"),
        ("FD encoder", "InferSent", "MiniLM (all-MiniLM-L6-v2)",
         "InferSent is not available offline; fd_encoder_robustness.md checks the choice"),
        ("LM score / reverse LM", "not stated",
         f"LSTM LMs of {args.lm_units} / {args.reverse_units} units, {args.lm_epochs} / "
         f"{args.reverse_epochs} epochs", budget),
        ("human evaluation", "200 samples x 3 raters", "none", "not possible here"),
    ]  # fmt: skip


def report(args, command, corpus, lm_seconds, real, rows, samples, wall, figures):
    names = list(HEADERS)
    lines = [
        "# Text GANs vs a language model under one protocol (thesis §5.6.4, Tables 5.3–5.4)",
        "",
        f"Command: `{command}` (seed {args.seed}{', **--quick smoke run**' if args.quick else ''}).",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores shared with other jobs, no "
        f"GPU; Python {platform.python_version()}. Wall time {wall:.0f} s (LM-score LM "
        f"{lm_seconds:.0f} s); training and evaluation of every run: "
        f"{sum(r['train_s'] + r['eval_s'] for r in rows):.0f} s.",
        "",
        f"Data: SNLI dev+test premises and hypotheses, deduplicated ({corpus.total} sentences), "
        f"tokenised with a {len(corpus.vocabulary)}-token {args.tokenizer} vocabulary built on "
        f"all but the {2 * args.num_references} reference candidates of a seeded shuffle; "
        f"sentences of 1–{args.max_tokens} tokens without `<unk>` kept; references: the first "
        f"{len(corpus.references)} kept candidates; training: {len(corpus.train)} of the "
        f"{corpus.kept} kept other sentences.",
        f"Protocol: per model, random search of {args.num_trials} trials minimising FD, each "
        f"trial {args.steps} training steps of the LM; the discrete GANs pretrain their generator "
        f"by likelihood for the same {args.steps} steps (the LM's data, batch size and "
        f"learning-rate range), then train {args.adversarial_steps} adversarial steps on top; "
        f"the WGAN-GP models train {args.wgan_steps or args.steps} generator steps, each after "
        f"`critic_steps` critic steps on fresh real batches. Search trials are scored without "
        f"the reverse LM (as the thesis, which tunes on FD: the reverse LM is too expensive "
        f"for tuning); the best configuration is retrained with {args.num_seeds} seeds and "
        f"scored on every metric; mean ± sample sd (ddof=1) over the seeds. "
        f"{args.num_samples} samples per run. Metrics: unique 4-grams (distinct 4-grams among "
        f"the {args.num_samples} samples, counted), BLEU-4 "
        f"against all references, self-BLEU-4, FD of MiniLM embeddings vs the references, LM "
        f"score (perplexity under an LSTM LM, {args.lm_units} units, {args.lm_epochs} epochs on "
        f"the training split), reverse-LM score (perplexity on the references of a fresh LSTM "
        f"LM, {args.reverse_units} units, {args.reverse_epochs} epochs on the samples).",
        "",
        "| model | " + " | ".join(HEADERS[n] for n in names)
        + " | trials | eval share (search trial) |",
        "|---|" + "---|" * (len(names) + 2),
        "| real training sentences | " + " | ".join(_number(real[n], n) for n in names) + " | – | – |",
    ]
    for row in rows:
        share = row["search_eval_share"]
        lines.append(
            f"| {text_gans.MODEL_TITLES[row['model']]} | "
            + " | ".join(_mean_sd(row["summary"][n], n) for n in names)
            + f" | {row['trials']} | {100 * share:.0f}% |"
        )
    lines += [
        "", "## The thesis' Table 5.4 (line 3096)", "",
        "Its corpus, models and budget differ (table below): compare directions, not values.",
        "",
        "| model | " + " | ".join(HEADERS[n] for n in names) + " | human evaluation ↑ |",
        "|---|" + "---|" * (len(names) + 1),
    ]  # fmt: skip
    for row in rows:
        thesis = THESIS_TABLE_5_4[row["model"]]
        lines.append(f"| {text_gans.MODEL_TITLES[row['model']]} | "
                     + " | ".join(_mean_sd(thesis[n], n) for n in names)
                     + f" | {thesis['human'][0]:.2f} ± {thesis['human'][1]:.2f} |")  # fmt: skip
    lines += ["", "## Settings that differ from the thesis", "",
              "| setting | thesis | here | why |", "|---|---|---|---|"]  # fmt: skip
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in _settings_differ(args, corpus)]
    lines += ["", "## The thesis' observations, checked on this run", "",
              "| observation | the thesis says | here | evidence |", "|---|---|---|---|"]  # fmt: skip
    for label, statement, holds, evidence in thesis_observations(rows):
        lines.append(f"| {label} | {statement} | {_verdict(holds)} | {evidence} |")
    lines += ["", "## Does any GAN beat the LM?", ""] + compare_with_lm(rows)
    lines += [
        "", "## Figures", "",
        f"- Fig. 5.11, FD of every search trial per model: `{os.path.basename(figures['trials'])}`",
        f"- Fig. 5.12, −BLEU-4 against the LM score (WGAN-GP models left out, as the thesis): "
        f"`{os.path.basename(figures['bleu_lm'])}`",
        f"- Fig. 5.13, FD and unique 4-grams (the thesis' third panel, human evaluation, is not "
        f"possible here): `{os.path.basename(figures['fd_unique'])}`",
    ]  # fmt: skip
    lines += ["", "Best configuration of each model (the one retrained with every seed):", ""]
    for row in rows:
        best = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in sorted(row["best"].items()))  # fmt: skip
        lines.append(f"- {text_gans.MODEL_TITLES[row['model']]}: {best} (training and "
                     f"evaluation of its search and seeds {row['train_s'] + row['eval_s']:.0f} s)")  # fmt: skip
    lines += ["", "## Samples (first run of the seeds, first 4 non-empty; Table 5.3)", ""]
    for row in rows:
        shown = [s for s in samples[row["model"]] if s.strip()][:4]
        lines.append(f"**{text_gans.MODEL_TITLES[row['model']]}**")
        lines.append("")
        lines += [f"- {s}" for s in shown] or ["- (all samples empty)"]
        lines.append("")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
