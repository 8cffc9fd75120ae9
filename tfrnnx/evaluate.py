"""``tfrnnx evaluate``: score generated text against references with every metric at once.

    tfrnnx evaluate --samples gen.txt --references ref.txt [--train train.txt]
        [--metrics bleu,self_bleu,...] [--embedder minilm|bilstm|PATH]
        [--json out.json] [--logdir DIR]

Files hold one sentence per line (UTF-8, tokens separated by whitespace). The results
are printed as one table, written as JSON (atomically: a temporary file, then
`os.replace`) with `--json`, and as TensorBoard scalars `evaluate/<metric>` with
`--logdir`. Exit codes: 0 when every requested metric was computed, 1 when some could
not be (unavailable model, too few sentences; the others are still reported), 2 for bad
input (unreadable, empty or non-UTF-8 files, blank lines, mismatched counts, bad flags),
with one line on stderr.
"""

import json
import math
import os
import sys
import tempfile
import time

# Metric name -> what it needs besides --samples and --references.
_METRICS = {
    "bleu": "nothing",
    "self_bleu": "nothing",
    "unique_ngrams": "nothing",
    "memorization": "--train",
    "fd": "a sentence embedder (--embedder)",
    "precision_recall": "a sentence embedder (--embedder)",
    "mauve": "a sentence embedder (--embedder); at least 10 sentences in each set",
    "lm_score": "tfrnnx.metrics.lm_score (an LM is trained on --train, else --references)",
    "reverse_lm": "tfrnnx.metrics.reverse_lm_score (an LM is trained on --samples)",
}
_EMBEDDING_CHUNK = 512  # sentences embedded per progress-bar step
_DEFAULT_BILSTM = "bilstm_max_encoder.keras"  # scripts/train_bilstm_encoder.py --out default


class _InputError(Exception):
    """Bad input or flags: one line on stderr, exit code 2."""


class _Unavailable(Exception):
    """A metric that cannot be computed here; reported, the others go on (exit code 1)."""


def add_arguments(parser):
    parser.description = __doc__.split("\n\n")[0].strip("` ")
    parser.add_argument("--samples", required=True, help="generated sentences, one per line")
    parser.add_argument("--references", required=True, help="real sentences, one per line")
    parser.add_argument("--train", help="training sentences (memorization; the LM of lm_score)")
    parser.add_argument(
        "--metrics",
        help="comma-separated subset of: " + ", ".join(_METRICS) + " (default: the metrics "
        "needing no model: bleu, self_bleu, unique_ngrams, and memorization with --train)",
    )
    parser.add_argument(
        "--embedder",
        default="minilm",
        help="sentence embedder of fd and precision_recall: minilm (tfrnnx.metrics."
        f"MiniLMEncoder), bilstm (the BiLSTMMaxEncoder saved at ./{_DEFAULT_BILSTM}), or "
        "PATH: a saved .keras encoder with an embed() method, or a MiniLM model directory",
    )
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--logdir", help="also write TensorBoard scalars to this directory")
    parser.add_argument("--step", type=int, default=0, help="TensorBoard step (default 0)")
    parser.add_argument(
        "--bleu-orders", default="2,3,4,5", help="BLEU/self-BLEU orders (default 2,3,4,5)"
    )
    parser.add_argument(
        "--ngram-order", type=int, default=4, help="n of unique_ngrams and memorization"
    )
    parser.add_argument("--k", type=int, default=3, help="neighbours of precision_recall")
    parser.add_argument("--seed", type=int, default=0, help="seed of the reverse-LM training")


def run(args):
    try:
        metrics, orders = _check_flags(args)
        samples = _read_sentences(args.samples, "--samples")
        references = _read_sentences(args.references, "--references")
        train = _read_sentences(args.train, "--train") if args.train else None
        if {"fd", "precision_recall"} & set(metrics) and len(samples) != len(references):
            raise _InputError(
                "fd and precision_recall compare equally large sets: --samples "
                f"{args.samples} has {len(samples)} sentences, --references "
                f"{args.references} has {len(references)}; use as many of each"
            )
        if args.json:
            _check_writable_dir(args.json, "--json")
    except _InputError as error:
        print(f"tfrnnx evaluate: error: {error}", file=sys.stderr)
        return 2

    results, problems = {}, {}
    progress = _Progress(len(metrics))
    context = _Context(args, samples, references, train, progress)
    for metric in metrics:
        progress.start(metric)
        try:
            results.update(_COMPUTE[metric](context, orders))
        except _Unavailable as error:
            problems[metric] = str(error)
        except Exception as error:  # a metric's own ValueError etc.: report, go on
            problems[metric] = f"{type(error).__name__}: {_first_line(error)}"
        progress.finish()
    progress.close()

    _print_table(results, problems)
    for metric, reason in problems.items():
        print(f"tfrnnx evaluate: {metric} unavailable: {reason}", file=sys.stderr)
    try:
        if args.json:
            _write_json(args, results, problems)
        if args.logdir:
            _write_summaries(args.logdir, results, args.step)
    except OSError as error:
        print(f"tfrnnx evaluate: error: cannot write results: {error}", file=sys.stderr)
        return 2
    return 1 if problems else 0


def _check_flags(args):
    if args.metrics is None:
        metrics = ["bleu", "self_bleu", "unique_ngrams"] + (["memorization"] if args.train else [])
    else:
        metrics = []
        for name in (m.strip() for m in args.metrics.split(",")):
            if name not in _METRICS:
                raise _InputError(
                    f"--metrics: unknown metric {name!r}; choose from {', '.join(_METRICS)}"
                )
            if name not in metrics:
                metrics.append(name)
    if "memorization" in metrics and not args.train:
        raise _InputError("--metrics memorization needs --train (the training sentences)")
    try:
        orders = [int(o) for o in args.bleu_orders.split(",")]
        if not orders or min(orders) < 1:
            raise ValueError
    except ValueError:
        raise _InputError(
            f"--bleu-orders must be positive integers separated by commas, e.g. 2,3,4,5. "
            f"Received: {args.bleu_orders!r}"
        ) from None
    for flag, value in (("--ngram-order", args.ngram_order), ("--k", args.k)):
        if value < 1:
            raise _InputError(f"{flag} must be at least 1. Received: {value}")
    return metrics, orders


def _read_sentences(path, flag):
    """The lines of a UTF-8 file; _InputError for unreadable, empty, non-UTF-8 or blank lines."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as error:
        raise _InputError(f"{flag} {path}: cannot read it ({error.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _InputError(
            f"{flag} {path}: not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); "
            "convert it, e.g. with iconv -t UTF-8"
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise _InputError(f"{flag} {path}: the file is empty; it needs one sentence per line")
    lines = text.split("\n")
    if lines[-1] == "":  # final newline
        lines.pop()
    lines = [line.removesuffix("\r") for line in lines]
    blank = [i + 1 for i, line in enumerate(lines) if not line.strip()]
    if blank:
        more = f" and {len(blank) - 1} more" if len(blank) > 1 else ""
        raise _InputError(
            f"{flag} {path}: line {blank[0]}{more} blank; every line must hold a sentence"
        )
    return lines


def _check_writable_dir(path, flag):
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise _InputError(f"{flag} {path}: directory {directory} does not exist")


class _Context:
    """Inputs of the metrics, with the embeddings computed once for fd, precision_recall and
    mauve."""

    def __init__(self, args, samples, references, train, progress):
        self.args = args
        self.samples = samples
        self.references = references
        self.train = train
        self.progress = progress
        self._features = None
        self._embedder_error = None

    def features(self):
        """(sample features, reference features), embedded once."""
        if self._embedder_error is not None:
            raise self._embedder_error
        if self._features is None:
            try:
                encoder = _embedder(self.args.embedder)
            except _Unavailable as error:
                self._embedder_error = error
                raise
            texts = self.samples + self.references
            chunks = []
            for start in range(0, len(texts), _EMBEDDING_CHUNK):
                self.progress.detail(f"embedding {start}/{len(texts)}")
                chunks.append(encoder.embed(texts[start : start + _EMBEDDING_CHUNK]))
            import numpy as np

            features = np.concatenate(chunks)
            self._features = features[: len(self.samples)], features[len(self.samples) :]
        return self._features


def _metrics_module():
    import tfrnnx.metrics

    return tfrnnx.metrics


def _lookup(name):
    """`tfrnnx.metrics.<name>`, looked up at run time; _Unavailable if this install lacks it."""
    try:
        return getattr(_metrics_module(), name)
    except (ImportError, AttributeError) as error:
        raise _Unavailable(
            f"tfrnnx.metrics.{name} is not available in this installation ({_first_line(error)})"
        ) from None


def _embedder(spec):
    try:
        if spec == "minilm":
            return _lookup("MiniLMEncoder")()
        if spec == "bilstm" or spec.endswith(".keras"):
            path = _DEFAULT_BILSTM if spec == "bilstm" else spec
            if not os.path.isfile(path):
                raise _Unavailable(
                    f"no saved BiLSTM encoder at {path} (train one with "
                    "scripts/train_bilstm_encoder.py --out PATH, then pass --embedder PATH)"
                )
            import keras

            _lookup("BiLSTMMaxEncoder")  # registers the class for loading
            encoder = keras.saving.load_model(path)
        elif os.path.isdir(spec):
            encoder = _lookup("MiniLMEncoder")(model_dir=spec)
        else:
            raise _Unavailable(
                f"--embedder {spec!r} is neither minilm, bilstm, a .keras file nor a directory"
            )
    except _Unavailable:
        raise
    except Exception as error:  # missing weights or packages of the encoder
        raise _Unavailable(
            f"the {spec} embedder could not be loaded: {type(error).__name__}: "
            f"{_first_line(error)}"
        ) from None
    if not hasattr(encoder, "embed"):
        raise _Unavailable(f"--embedder {spec}: {type(encoder).__name__} has no embed() method")
    return encoder


def _bleu(context, orders):
    bleu = _lookup("bleu")
    return {f"bleu-{n}": bleu(context.references, context.samples, max_order=n) for n in orders}


def _self_bleu(context, orders):
    self_bleu = _lookup("self_bleu")
    if len(context.samples) < 2:
        raise _Unavailable("self_bleu needs at least two samples")
    return {f"self_bleu-{n}": self_bleu(context.samples, max_order=n) for n in orders}


def _unique_ngrams(context, orders):
    # The share of distinct n-grams, and their number (the thesis' "unique 4-grams").
    n = context.args.ngram_order
    return {f"unique_{n}grams": _lookup("unique_ngrams")(context.samples, n=n),
            f"unique_{n}gram_count": _lookup("unique_ngram_count")(context.samples, n=n)}  # fmt: skip


def _memorization(context, orders):
    n = context.args.ngram_order
    copied, overlap = _lookup("memorization")(context.samples, context.train, n=n)
    return {"memorization_copied": copied, f"memorization_{n}gram_overlap": overlap}


def _fd(context, orders):
    frechet_distance = _lookup("frechet_distance")
    generated, real = context.features()
    return {"fd": frechet_distance(real, generated)}


def _precision_recall(context, orders):
    precision_recall = _lookup("precision_recall")
    generated, real = context.features()
    precision, recall = precision_recall(real, generated, k=context.args.k)
    return {"precision": precision, "recall": recall}


def _mauve(context, orders):
    generated, real = context.features()
    return {"mauve": _lookup("mauve")(generated, real, seed=context.args.seed)["mauve"]}


def _lm_score(context, orders):
    train_language_model = _lookup("train_language_model")
    lm_score = _lookup("lm_score")
    context.progress.detail("training the LM")
    lm = train_language_model(context.train or context.references, seed=context.args.seed)
    context.progress.detail("scoring")
    return {"lm_score": lm_score(context.samples, lm)}


def _reverse_lm(context, orders):
    reverse_lm_score = _lookup("reverse_lm_score")
    score = reverse_lm_score(context.samples, context.references, seed=context.args.seed)
    return {"reverse_lm": score}


_COMPUTE = {
    "bleu": _bleu,
    "self_bleu": _self_bleu,
    "unique_ngrams": _unique_ngrams,
    "memorization": _memorization,
    "fd": _fd,
    "precision_recall": _precision_recall,
    "mauve": _mauve,
    "lm_score": _lm_score,
    "reverse_lm": _reverse_lm,
}


class _Progress:
    """A progress bar over the metrics on stderr (one line per metric when not a terminal)."""

    def __init__(self, total, stream=None):
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.done = 0
        self.name = ""
        self.started = 0.0

    def start(self, name):
        self.name, self.started = name, time.perf_counter()
        self.detail("")

    def detail(self, text):
        if self.tty:
            width = 20
            filled = width * self.done // max(1, self.total)
            bar = "#" * filled + "." * (width - filled)
            line = f"[{bar}] {self.done}/{self.total} {self.name} {text}"
            self.stream.write("\r" + line[:79].ljust(79))
            self.stream.flush()

    def finish(self):
        self.done += 1
        if not self.tty:
            seconds = time.perf_counter() - self.started
            self.stream.write(f"[{self.done}/{self.total}] {self.name} ({seconds:.1f} s)\n")
        else:
            self.detail("")

    def close(self):
        if self.tty:
            self.stream.write("\n")
        self.stream.flush()


def _print_table(results, problems):
    width = max([len("metric")] + [len(k) for k in list(results) + list(problems)])
    print(f"{'metric':<{width}}  value")
    print(f"{'-' * width}  {'-' * 12}")
    for name, value in results.items():
        shown = f"{value:.6f}" if math.isfinite(value) else str(value)
        print(f"{name:<{width}}  {shown}")
    for name in problems:
        print(f"{name:<{width}}  unavailable")


def _write_json(args, results, problems):
    document = {
        "samples": args.samples,
        "references": args.references,
        "train": args.train,
        "metrics": results,
        "unavailable": problems,
        "settings": {
            "bleu_orders": args.bleu_orders,
            "ngram_order": args.ngram_order,
            "k": args.k,
            "embedder": args.embedder,
            "seed": args.seed,
        },
    }
    directory = os.path.dirname(os.path.abspath(args.json))
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".evaluate-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(document, f, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, args.json)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def _write_summaries(logdir, results, step):
    import tensorflow as tf

    writer = tf.summary.create_file_writer(logdir)
    with writer.as_default():
        for name, value in results.items():
            tf.summary.scalar(f"evaluate/{name}", value, step=step)
    writer.flush()
    writer.close()


def _first_line(error):
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
