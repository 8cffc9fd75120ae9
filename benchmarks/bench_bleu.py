"""BLEU and self-BLEU of tfrnnx against nltk's sentence_bleu loop (and fast-bleu if installed).

nltk scores a hypothesis by re-counting the n-grams of every reference, so it runs on a few
dozen hypotheses only; tfrnnx runs on all of them against the same reference set. The
script prints the time per hypothesis of each, their ratio, and the largest absolute
difference between the per-sentence scores on the hypotheses nltk scored.

    .venv/bin/python benchmarks/bench_bleu.py            # COCO captions, 10k x 10k
    .venv/bin/python benchmarks/bench_bleu.py --nltk-hypotheses 20

Data: `$TFRNNX_DATA_DIR/texygen/image_coco.txt.gz` (references, the Texygen COCO training
captions) and `texygen/test_coco.txt.gz` (hypotheses), default data dir `../shared/data`.
"""

import argparse
import gzip
import importlib.util
import math
import os
import platform
import time
import warnings

from nltk.translate.bleu_score import SmoothingFunction
from nltk.translate.bleu_score import sentence_bleu

_HERE = os.path.dirname(os.path.abspath(__file__))


def _load_bleu_module():
    # Loaded from its file so the benchmark does not pay for importing TensorFlow.
    path = os.path.join(_HERE, "..", "tfrnnx", "metrics", "bleu.py")
    spec = importlib.util.spec_from_file_location("tfrnnx_bleu", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read_lines(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [line.split() for line in f.read().splitlines() if line.strip()]


def _best_of(repeats, fn, *args):
    best, value = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, value


def _nltk_scores(references_of, hypotheses, max_order):
    weights = (1 / max_order,) * max_order
    smoothing = SmoothingFunction().method1
    return [
        sentence_bleu(references_of(i), h, weights=weights, smoothing_function=smoothing)
        for i, h in enumerate(hypotheses)
    ]


def _fast_bleu(references, hypotheses, max_order, self_bleu):
    try:
        import fast_bleu
    except ImportError:
        return None
    weights = {max_order: (1 / max_order,) * max_order}
    if self_bleu:
        return fast_bleu.SelfBLEU(references, weights, smoothing_func=1).get_score()[max_order]
    return fast_bleu.BLEU(references, weights, smoothing_func=1).get_score(hypotheses)[max_order]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dir = os.environ.get("TFRNNX_DATA_DIR") or os.path.join(
        _HERE, "..", "..", "shared", "data"
    )
    parser.add_argument("--data-dir", default=default_dir)
    parser.add_argument("--nltk-hypotheses", type=int, default=30)
    parser.add_argument("--max-order", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    bleu_module = _load_bleu_module()

    refs = _read_lines(os.path.join(args.data_dir, "texygen", "image_coco.txt.gz"))
    hyps = _read_lines(os.path.join(args.data_dir, "texygen", "test_coco.txt.gz"))
    k = args.nltk_hypotheses
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"references: {len(refs)} sentences, hypotheses: {len(hyps)}, BLEU-{args.max_order}, "
          f"smoothing method1; nltk on the first {k} hypotheses; tfrnnx best of {args.repeats}")

    cases = [
        ("bleu", lambda: bleu_module._bleu_scores(refs, hyps, args.max_order),
         lambda i: refs, hyps, len(hyps), False),
        ("self_bleu", lambda: bleu_module._self_bleu_scores(hyps, args.max_order),
         lambda i: hyps[:i] + hyps[i + 1:], hyps, len(hyps), True),
    ]
    print()
    print("| metric | tfrnnx total s | tfrnnx us/hyp | nltk s/hyp | nltk / tfrnnx per hyp "
          "| fast-bleu total s | max abs diff vs nltk | max abs diff vs fast-bleu |")
    print("|---|---|---|---|---|---|---|---|")
    for name, ours, refs_of, hypotheses, count, is_self in cases:
        ours_s, ours_scores = _best_of(args.repeats, ours)
        start = time.perf_counter()
        nltk_scores = _nltk_scores(refs_of, hypotheses[:k], args.max_order)
        nltk_s = (time.perf_counter() - start) / k
        diff = max(abs(a - b) for a, b in zip(nltk_scores, ours_scores))
        equal = sum(a == b for a, b in zip(nltk_scores, ours_scores))
        start = time.perf_counter()
        fast = _fast_bleu(refs if not is_self else hyps, hyps, args.max_order, is_self)
        fast_s = time.perf_counter() - start
        if fast is None:
            fast_cell, fast_diff = "not installed", "-"
        else:
            fast_cell = f"{fast_s:.3f}"
            fast_diff = f"{max(abs(a - b) for a, b in zip(fast, ours_scores)):.3g}"
        per_hyp = ours_s / count
        print(f"| {name} | {ours_s:.3f} | {per_hyp * 1e6:.1f} | {nltk_s:.3f} | "
              f"{nltk_s / per_hyp:,.0f}x | {fast_cell} | {diff:.3g} ({equal}/{k} bit-equal) "
              f"| {fast_diff} |")
        print(f"  mean {name}: tfrnnx {sum(ours_scores) / count:.12f}", flush=True)


if __name__ == "__main__":
    main()
