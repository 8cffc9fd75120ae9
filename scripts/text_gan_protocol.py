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
import sys
import time

import keras

from tfrnnx.data.snli_sentences import load_snli_sentences
from tfrnnx.experiments import text_gans
from tfrnnx.experiments.text_metrics import CachedEmbedder
from tfrnnx.io_utils import write_results
from tfrnnx.io_utils import write_text_atomically
from tfrnnx.metrics import MiniLMEncoder
from tfrnnx.metrics import train_language_model
from tfrnnx.protocol import RandomSearch
from tfrnnx.protocol import SeedRepeats

HEADERS = {
    "unique4": "unique 4-grams ↑",
    "bleu4": "BLEU-4 ↑",
    "self_bleu4": "self-BLEU-4 ↓",
    "fd": "FD ↓",
    "lm_score": "LM score ↓",
    "reverse_lm": "reverse LM ↓",
}


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
    parser.add_argument("--adversarial-steps", type=int, default=1000,
                        help="discrete-GAN steps after the pretraining")
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
    wgan = model in ("conv_deconv", "conv_lstm") and args.wgan_steps is not None
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
    samples_file = os.path.join(repeats.run_dir(runs[0]["seed"]), "samples.txt")
    with open(samples_file) as f:
        samples = [line.rstrip("\n") for line in f]
    row = {
        "model": model,
        "summary": summary,
        "best": best,
        "trials": len(search.results()),
        "train_s": train_s,
        "eval_s": eval_s,
        "search_eval_share": search_eval / max(search_eval + search_train, 1e-9),
        "wall_s": time.time() - start,
    }
    return row, samples


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
    rows, samples = [], {}
    for model in args.models:
        row, samples[model] = run_model(model, args, corpus, evaluate)
        rows.append(row)
        print(model, json.dumps({k: [round(v, 4) for v in mv] for k, mv in row["summary"].items()
                                 if k in HEADERS}), flush=True)  # fmt: skip
    wall = time.time() - start
    command = "python scripts/text_gan_protocol.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    write_results(args.out, report(args, command, corpus, lm_seconds, real, rows, samples, wall),
                  twin(args, command, real, rows))
    print(f"wrote {args.out} ({wall:.0f} s)", flush=True)
    return rows


def twin(args, command, real, rows):
    """The JSON twin: one row per model, `<metric>_mean` / `<metric>_sd` over the seeds."""
    table = []
    for row in rows:
        entry = {"model": row["model"], "num_seeds": args.num_seeds, "num_trials": row["trials"],
                 "search_eval_share": round(row["search_eval_share"], 4)}
        for name in HEADERS:
            mean, sd = row["summary"][name]
            entry[f"{name}_mean"], entry[f"{name}_sd"] = float(mean), float(sd)
        entry["best_hparams"] = row["best"]
        table.append(entry)
    return {"command": command.strip(), "rows": table,
            "real_training_sentences": {name: float(real[name]) for name in HEADERS}}


def _mean_sd(summary, name):
    mean, sd = summary[name]
    digits = 3 if name in ("unique4", "bleu4", "self_bleu4", "fd") else 1
    return f"{mean:.{digits}f} ± {sd:.{digits}f}"


HIGHER_IS_BETTER = {"unique4", "bleu4"}


def compare_with_lm(rows):
    """Per metric, the models better than the LM by more than the two sds added together."""
    by_model = {row["model"]: row["summary"] for row in rows}
    if "lm" not in by_model:
        return ["(the LM was not run)"]
    lines = [
        "A model counts as better than the LM on a metric when its mean is better by more "
        "than the sum of the two seed sds (a rough, conservative test with few seeds).",
        "",
    ]
    for name in HEADERS:
        lm_mean, lm_sd = by_model["lm"][name]
        sign = 1.0 if name in HIGHER_IS_BETTER else -1.0
        better = [
            text_gans.MODEL_TITLES[model]
            for model, summary in by_model.items()
            if model != "lm" and sign * (summary[name][0] - lm_mean) > lm_sd + summary[name][1]
        ]
        lines.append(f"- {HEADERS[name]}: " + (", ".join(better) if better else "none"))
    return lines


def report(args, command, corpus, lm_seconds, real, rows, samples, wall):
    names = list(HEADERS)
    lines = [
        "# Text GANs vs a language model under one protocol (thesis §5.6.4, Tables 5.3–5.4)",
        "",
        f"Command: `{command}` (seed {args.seed}{', **--quick smoke run**' if args.quick else ''}).",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores shared with other jobs, no "
        f"GPU; Python {platform.python_version()}. Wall time {wall:.0f} s (LM-score LM "
        f"{lm_seconds:.0f} s).",
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
        f"{args.num_samples} samples per run. Metrics: unique 4-grams (distinct/all), BLEU-4 "
        f"against all references, self-BLEU-4, FD of MiniLM embeddings vs the references, LM "
        f"score (perplexity under an LSTM LM, {args.lm_units} units, {args.lm_epochs} epochs on "
        f"the training split), reverse-LM score (perplexity on the references of a fresh LSTM "
        f"LM, {args.reverse_units} units, {args.reverse_epochs} epochs on the samples).",
        "",
        "| model | " + " | ".join(HEADERS[n] for n in names)
        + " | trials | eval share (search trial) |",
        "|---|" + "---|" * (len(names) + 2),
        "| real training sentences | " + " | ".join(
            f"{real[n]:.3f}" if n in ("unique4", "bleu4", "self_bleu4", "fd") else f"{real[n]:.1f}"
            for n in names
        ) + " | – | – |",
    ]
    for row in rows:
        share = row["search_eval_share"]
        lines.append(
            f"| {text_gans.MODEL_TITLES[row['model']]} | "
            + " | ".join(_mean_sd(row["summary"], n) for n in names)
            + f" | {row['trials']} | {100 * share:.0f}% |"
        )
    lines += ["", "## Does any GAN beat the LM?", ""] + compare_with_lm(rows)
    lines += ["", "Best configuration of each model (the one retrained with every seed):", ""]
    for row in rows:
        best = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in sorted(row["best"].items()))  # fmt: skip
        lines.append(f"- {text_gans.MODEL_TITLES[row['model']]}: {best} "
                     f"(search + seeds {row['wall_s']:.0f} s)")  # fmt: skip
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
