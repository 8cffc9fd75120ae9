"""Every speed benchmark's ratio table in one run: `--mode cpu` (default), `quick`, `gpu`.

Each benchmark runs in its own process (one TensorFlow start each, no state shared between
them) and prints its own table with ratios against the anchor it measures in the same run.
This script collects the tables into one page and a JSON twin.

    python benchmarks/run_all.py                      # CPU: docs/results/benchmarks.md
    python benchmarks/run_all.py --mode quick --out /tmp/b.md   # seconds; the CI smoke test
    python benchmarks/run_all.py --mode gpu           # docs/results/benchmarks_gpu.md, < 10 min

The GPU mode times our LSTM with recurrent dropout against Keras' LSTM with recurrent
dropout (its loop) and without dropout (cuDNN) at batch 32 and 128, 256 and 1024 units, with
and without XLA; DrawGlimpse against `tf.image.crop_and_resize`; the text-VAE ratio; BLEU.
It stops launching benchmarks when `--budget-seconds` are spent, and says which it skipped.

`bench_protocol_eval_share.py` is not part of this run: it measures the share of a search
trial spent in evaluation (trains and scores whole trials, minutes each), not a speed ratio.
"""

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "..", "docs", "results")
DEFAULT_OUT = {"cpu": os.path.join(RESULTS, "benchmarks.md"),
               "gpu": os.path.join(RESULTS, "benchmarks_gpu.md")}
MODES = ("quick", "cpu", "gpu")

_RD_QUICK = ["--batch", "4", "--steps", "5", "--units", "16", "--vocab", "50", "--repeats", "2",
             "--warmup", "1"]


def _recurrent_dropout_jobs(mode, scratch):
    if mode == "quick":
        grid = [_RD_QUICK]
    elif mode == "cpu":
        grid = [["--repeats", "20"]]
    else:
        grid = [["--batch", str(b), "--units", str(u), "--repeats", "10"]
                for b in (32, 128) for u in (256, 1024)]
    for sizes in grid:
        for jit in ([], ["--jit-compile"]):
            name = "_".join(a.strip("-") for a in sizes + jit).replace("-", "_")
            yield (f"recurrent dropout LSTM ({' '.join(sizes + jit)})", "bench_recurrent_dropout.py",
                   sizes + jit + ["--json", os.path.join(scratch, f"recurrent_dropout_{name}.json")])


def jobs(mode, data_dir, scratch):
    """``(title, script, args)`` of every benchmark of ``mode``."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}. Received: mode={mode!r}")
    listed = list(_recurrent_dropout_jobs(mode, scratch))
    quick = mode == "quick"
    listed.append(("DrawGlimpse vs crop_and_resize", "bench_draw_glimpse.py",
                   ["--batch", "4", "--image-size", "20", "--glimpse-size", "4", "--warmup", "1",
                    "--repeats", "2"] if quick else (["--batch", "256"] if mode == "gpu" else [])))
    listed.append(("attention model images/s vs CNN", "bench_attention_images_per_second.py",
                   ["--batch-size", "4", "--canvas", "40", "--steps", "1", "--repeats", "1"] if quick
                   else (["--batch-size", "256"] if mode == "gpu" else [])))
    listed.append(("hybrid vs LSTM text VAE", "bench_text_vae_speed.py",
                   (["--quick"] if quick else (["--lengths", "128,256"] if mode == "gpu" else []))
                   + ["--out", os.path.join(scratch, "text_vae_speed.md")]))
    listed.append(("WGAN-GP critic vs one-hot critic", "bench_wgan_gp_text.py",
                   ["--quick"] if quick else (["--batch-size", "256"] if mode == "gpu" else [])))
    listed.append(("MAUVE vs mauve-text", "bench_mauve.py",
                   ["--rows", "300", "--dim", "16", "--seeds", "1"] if quick else []))
    if data_dir and os.path.isdir(os.path.join(data_dir, "texygen")):
        listed.append(("BLEU / self-BLEU vs nltk", "bench_bleu.py",
                       ["--data-dir", data_dir]
                       + (["--nltk-hypotheses", "2", "--repeats", "1"] if quick else [])))
    return listed


def _gpu_count():
    code = "import tensorflow as tf; print(len(tf.config.list_physical_devices('GPU')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return int(done.stdout.strip().splitlines()[-1])


def run_job(script, args, timeout):
    """Runs one benchmark; returns ``(returncode, seconds, output)``."""
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, os.path.join(HERE, script), *args],
                              capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        code, output = done.returncode, done.stdout + (done.stderr if done.returncode else "")
    except subprocess.TimeoutExpired as expired:
        partial = expired.stdout or ""  # bytes even with text=True (a CPython quirk)
        code, output = "timeout", partial.decode() if isinstance(partial, bytes) else partial
    return code, time.perf_counter() - started, output.strip()


def _shown(args):
    """``args`` without the scratch-file flags run_all adds (``--json`` / ``--out`` in a temp dir)."""
    kept, skip = [], False
    for index, arg in enumerate(args):
        if skip:
            skip = False
            continue
        following = args[index + 1] if index + 1 < len(args) else ""
        if arg in ("--json", "--out") and following.startswith(tempfile.gettempdir()):
            skip = True
            continue
        kept.append(arg)
    return kept


def _summary(results):
    """Our update-mode LSTM against both Keras anchors, one line per recurrent-dropout run."""
    lines = ["## Summary: RecurrentDropoutLSTM (mode update, rate 0.25) against Keras", "",
             "| batch | units | XLA | masks | ms/step | vs Keras LSTM with recurrent dropout | "
             "vs Keras LSTM without dropout |", "|---|---|---|---|---|---|---|"]
    for result in results:
        for row in result.get("rows", []):
            if row["model"].startswith("tfrnnx update"):
                masks = "per-sequence" if "per-sequence" in row["model"] else "per-step"
                lines.append(f"| {row['batch']} | {row['units']} | {row['jit_compile']} | {masks} | "
                             f"{row['ms_per_step']} | {row['vs_keras_recurrent_dropout']:.2f}x | "
                             f"{row['vs_keras_lstm']:.2f}x |")
    return lines + [""] if len(lines) > 4 else []


def _page(command, mode, machine, results, skipped):
    lines = [f"# Speed benchmarks ({mode} mode)", "",
             f"Written by `benchmarks/run_all.py`. Command (repository root):", "",
             f"    {command}", "", f"Machine: {machine}.", "",
             "Each benchmark ran in its own process; each table's ratios are against the anchor "
             "measured in the same process (the benchmark's docstring names it).", ""]
    lines += _summary(results)
    for result in results:
        lines += [f"## {result['benchmark']}", "",
                  f"`python benchmarks/{result['script']} {shlex.join(_shown(result['args']))}` — "
                  f"{result['seconds']:.0f} s, exit {result['returncode']}", "",
                  "```", result["output"], "```", ""]
    if skipped:
        lines += ["## Not run (budget spent)", ""] + [f"- {title}" for title in skipped] + [""]
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=MODES, default="cpu")
    parser.add_argument("--data-dir", default=os.environ.get("TFRNNX_DATA_DIR"))
    parser.add_argument("--out", help="results page; the JSON twin goes beside it")
    parser.add_argument("--budget-seconds", type=float, default=None,
                        help="launch no benchmark after this many seconds (gpu default: 540)")
    parser.add_argument("--job-timeout", type=float, default=900)
    parser.add_argument("--dry-run", action="store_true", help="print the commands only")
    args = parser.parse_args(argv)
    if args.out is None:
        if args.mode == "quick" and not args.dry_run:
            parser.error("--mode quick needs --out (it must not overwrite the CPU results page)")
        args.out = DEFAULT_OUT.get(args.mode)
    if args.budget_seconds is None:
        args.budget_seconds = 540.0 if args.mode == "gpu" else float("inf")
    return args


def main(argv=None):
    args = parse_args(argv)
    command = "python benchmarks/run_all.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    with tempfile.TemporaryDirectory() as scratch:
        listed = jobs(args.mode, args.data_dir, scratch)
        if args.dry_run:
            for _, script, job_args in listed:
                print(shlex.join(["python", f"benchmarks/{script}", *job_args]))
            return []
        if args.mode == "gpu" and _gpu_count() == 0:
            raise SystemExit("--mode gpu: TensorFlow sees no GPU on this machine")
        started, results, skipped = time.perf_counter(), [], []
        for title, script, job_args in listed:
            if time.perf_counter() - started > args.budget_seconds:
                skipped.append(title)
                continue
            code, seconds, output = run_job(script, job_args, args.job_timeout)
            extra = {}
            if "--out" in job_args:  # a benchmark that writes its own table: show that table
                path = job_args[job_args.index("--out") + 1]
                if os.path.exists(path):
                    with open(path, encoding="utf-8") as file:
                        output = file.read().strip()
            if "--json" in job_args and os.path.exists(job_args[job_args.index("--json") + 1]):
                with open(job_args[job_args.index("--json") + 1], encoding="utf-8") as file:
                    extra["rows"] = json.load(file)["rows"]
            print(f"== {title} ({seconds:.0f} s, exit {code})\n{output}\n", flush=True)
            results.append({"benchmark": title, "script": script, "args": job_args,
                            "seconds": round(seconds, 1), "returncode": code, "output": output,
                            **extra})
    machine = (f"{platform.machine()}, {os.cpu_count()} CPU cores, "
               f"load average {os.getloadavg()[0]:.1f} at the end, Python {platform.python_version()}")
    from tfrnnx.io_utils import write_results  # after the runs: no TF start here before

    write_results(args.out, _page(command, args.mode, machine, results, skipped),
                  {"command": command, "mode": args.mode, "machine": machine, "skipped": skipped,
                   "rows": results})
    failed = [r["benchmark"] for r in results if r["returncode"] != 0]
    if failed:
        raise SystemExit(f"benchmarks failed: {failed}")
    return results


if __name__ == "__main__":
    main()
