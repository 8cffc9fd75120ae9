"""Shared support of the metric-sensitivity and LM-training-curve experiments (thesis §5.6.3).

`CachedEmbedder` embeds every distinct sentence once; `evaluate_samples` computes the
issue-6 metric suite on one set of samples; `markdown_table` and `plot_metrics` write the
results.
"""


import numpy as np

from tfrnnx import metrics
from tfrnnx.io_utils import write_figure_atomically

# name, column header, higher-is-better (for the plots' labels)
METRICS = (
    ("bleu4", "BLEU-4 ↑", True),
    ("self_bleu4", "self-BLEU-4 ↓", False),
    ("fd", "FD (MiniLM) ↓", False),
    ("precision", "precision ↑", True),
    ("recall", "recall ↑", True),
    ("mauve", "MAUVE (MiniLM) ↑", True),
    ("lm_score", "LM score ↓", False),
    ("reverse_lm", "reverse LM ↓", False),
    ("unique4", "unique 4-grams ↑", True),
)


def split_corpus(sentences, genres, num_references, num_lm_train, max_words, seed):
    """Random disjoint reference / LM-training / sample-pool splits of the sentences of 1 to
    `max_words` words: `(kept, references, lm_train, pool, pool_genres)`."""
    keep = [i for i, s in enumerate(sentences) if 1 <= len(s.split()) <= max_words]
    order = np.random.default_rng(seed).permutation(len(keep))
    index = [keep[i] for i in order]
    a, b = num_references, num_references + num_lm_train
    references = [sentences[i] for i in index[:a]]
    lm_train = [sentences[i] for i in index[a:b]]
    pool = [sentences[i] for i in index[b:]]
    pool_genres = [genres[i] for i in index[b:]]
    return len(keep), references, lm_train, pool, pool_genres


class CachedEmbedder:
    """Wraps an encoder with `.embed(list_of_str)`; every distinct sentence is embedded once."""

    def __init__(self, encoder):
        self.encoder = encoder
        self.cache = {}

    def embed(self, sentences):
        missing = list(dict.fromkeys(s for s in sentences if s not in self.cache))
        if missing:
            for sentence, vector in zip(missing, self.encoder.embed(missing)):
                self.cache[sentence] = vector
        return np.stack([self.cache[s] for s in sentences])


def evaluate_samples(
    samples, references, embedder, lm=None, reverse_lm=None, which=None, k=3,
):
    """The metric suite of one sample set against real `references`.

    Args:
        samples: list of generated (or deteriorated) sentences, space-tokenised.
        references: list of real sentences (BLEU references, FD/precision/recall real set).
        embedder: object with `.embed(list_of_str) -> (n, dim)` (e.g. `CachedEmbedder`).
        lm: trained `LanguageModel` for the LM score, or None to skip it.
        reverse_lm: dict of `reverse_lm_score` keyword arguments (must hold `heldout`),
            or None to skip it.
        which: names of `METRICS` to compute (default all that have their inputs).
        k: neighbourhood size of precision/recall.

    Returns:
        dict metric name -> float.
    """
    which = set(which or [name for name, _, _ in METRICS])
    out = {}
    if "bleu4" in which:
        out["bleu4"] = metrics.bleu(references, samples, max_order=4)
    if "self_bleu4" in which:
        out["self_bleu4"] = metrics.self_bleu(samples, max_order=4)
    if which & {"fd", "precision", "recall", "mauve"}:
        real, fake = embedder.embed(references), embedder.embed(samples)
        if "fd" in which:
            out["fd"] = metrics.frechet_distance(real, fake)
        if which & {"precision", "recall"}:
            out["precision"], out["recall"] = metrics.precision_recall(real, fake, k=k)
        if "mauve" in which:
            out["mauve"] = metrics.mauve(fake, real)["mauve"]
    if "lm_score" in which and lm is not None:
        out["lm_score"] = metrics.lm_score(samples, lm, batch_size=128)
    if "reverse_lm" in which and reverse_lm is not None:
        out["reverse_lm"] = metrics.reverse_lm_score(samples, **reverse_lm)
    if "unique4" in which:
        out["unique4"] = metrics.unique_ngrams(samples, n=4)
    return out


def _format(value):
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return str(value)
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.4f}"


def markdown_table(rows, first_columns):
    """Markdown table of dict rows: `first_columns` (key, header) pairs, then the METRICS present."""
    present = [(n, h) for n, h, _ in METRICS if any(n in r for r in rows)]
    columns = list(first_columns) + present
    lines = [
        "| " + " | ".join(h for _, h in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for row in rows:
        lines.append("| " + " | ".join(_format(row[n]) if n in row else "–" for n, _ in columns) + " |")
    return "\n".join(lines)


def plot_metrics(
    rows, x_key, x_label, path, title, series_key=None, log_metrics=(), baseline=None, invert_x=False
):
    """One subplot per metric of `METRICS` present in `rows`, against `rows[i][x_key]`.

    With `series_key`, rows are grouped into one line per value of that key. `baseline`
    (a dict of metric values, e.g. of real text) is drawn as dashed horizontal lines.
    Writes a PNG to `path` (Agg backend, written through a temporary file).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    present = [(n, h) for n, h, _ in METRICS if any(n in r for r in rows)]
    columns = 4
    lines = -(-len(present) // columns)
    figure, axes = plt.subplots(lines, columns, figsize=(3.2 * columns, 2.6 * lines), squeeze=False)
    groups = {}
    for row in rows:
        groups.setdefault(row.get(series_key) if series_key else None, []).append(row)
    for axis, (name, header) in zip(axes.flat, present):
        for label, group in groups.items():
            points = [(r[x_key], r[name]) for r in group if name in r]
            if points:
                x, y = zip(*points)
                axis.plot(x, y, marker="o", markersize=3, label=None if label is None else str(label))
        if baseline and name in baseline:
            axis.axhline(baseline[name], color="gray", linestyle="--", linewidth=1, label="real text")
        if invert_x:
            axis.invert_xaxis()
        axis.set_title(header, fontsize=9)
        axis.set_xlabel(x_label, fontsize=8)
        axis.tick_params(labelsize=7)
        if name in log_metrics:
            axis.set_yscale("log")
        if series_key or baseline:
            axis.legend(fontsize=6)
    for axis in list(axes.flat)[len(present):]:
        axis.axis("off")
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    write_figure_atomically(figure, path, dpi=110)
    plt.close(figure)
