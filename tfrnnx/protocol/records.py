"""Run records of the evaluation protocol: one `scores.json` per run, HParams summaries.

Private helpers of `RandomSearch` and `SeedRepeats`. A run's record is
`{"id", "hparams", "seed", "metrics", "wall_s"}`, written atomically to
`<run_dir>/scores.json` once the run has finished, so a present file means a finished run.
"""

import json
import math
import numbers
import os
import shutil
import time

import numpy as np
import tensorflow as tf
from tensorboard.plugins.hparams import api as hparams_api

from tfrnnx.io_utils import write_text_atomically

SCORES = "scores.json"


def jsonable(value):
    """Python scalars for numpy scalars (hyperparameter values come back as either)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def read_record(run_dir):
    """The record in `run_dir`, or None if the run has not finished."""
    path = os.path.join(run_dir, SCORES)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def run_recorded(trial_fn, run_id, hparams, seed, run_dir, objective):
    """Runs `trial_fn(hparams, seed, run_dir)` once and records it; a finished run is read back.

    Returns:
        (record, ran): `ran` is False when `run_dir` already held this run's scores.

    Raises:
        ValueError: `run_dir` holds a finished run of other hyperparameters or seed, or
            `trial_fn` did not return a dict of numbers holding `objective`.
    """
    hparams = {name: jsonable(value) for name, value in hparams.items()}
    record = read_record(run_dir)
    if record is not None:
        if record["hparams"] != hparams or record["seed"] != seed:
            raise ValueError(
                f"{os.path.join(run_dir, SCORES)} holds a finished run of other settings: "
                f"hparams={record['hparams']}, seed={record['seed']}. Received: "
                f"hparams={hparams}, seed={seed}. Use a new directory for a new experiment."
            )
        return record, False
    os.makedirs(run_dir, exist_ok=True)
    start = time.perf_counter()
    metrics = trial_fn(dict(hparams), seed, run_dir)
    wall_s = time.perf_counter() - start
    if not isinstance(metrics, dict) or objective not in metrics:
        raise ValueError(
            f"trial_fn must return a dict of metrics holding the objective {objective!r}. "
            f"Received: {metrics!r}"
        )
    bad = {k: v for k, v in metrics.items() if not isinstance(k, str) or not _is_number(v)}
    if bad:
        raise ValueError(f"trial_fn must return numbers keyed by metric name. Received: {bad!r}")
    record = {
        "id": run_id,
        "hparams": hparams,
        "seed": seed,
        "metrics": {name: float(value) for name, value in metrics.items()},
        "wall_s": wall_s,
    }
    write_text_atomically(os.path.join(run_dir, SCORES), json.dumps(record, indent=2) + "\n")
    return record, True


def _is_number(value):
    return isinstance(value, (numbers.Real, np.generic)) and not isinstance(value, bool) and (
        np.ndim(value) == 0
    )


def log_hparams_run(logdir, record):
    """One run on TensorBoard's HParams dashboard: its hparams, seed and metric scalars.

    `logdir` is cleared first, so a rerun (after a crash) leaves one session, not two.
    """
    if os.path.exists(logdir):
        shutil.rmtree(logdir)
    writer = tf.summary.create_file_writer(logdir)
    with writer.as_default():
        hparams_api.hparams({**record["hparams"], "seed": record["seed"]}, trial_id=record["id"])
        for name, value in record["metrics"].items():
            tf.summary.scalar(name, value, step=0)
    writer.close()


def write_hparams_config(logdir, hparams, metric_names):
    """The experiment summary (hparam domains, metrics), written once per `logdir`."""
    marker = os.path.join(logdir, ".hparams_config")
    if os.path.exists(marker):
        return
    writer = tf.summary.create_file_writer(logdir)
    with writer.as_default():
        hparams_api.hparams_config(
            hparams=[*hparams, hparams_api.HParam("seed")],
            metrics=[hparams_api.Metric(name, display_name=name) for name in metric_names],
        )
    writer.close()
    write_text_atomically(marker, "written\n")


def mean_std(records):
    """{metric: (mean, sample std with ddof=1)} over the metrics every record has."""
    if not records:
        return {}
    names = [n for n in records[0]["metrics"] if all(n in r["metrics"] for r in records)]
    out = {}
    for name in names:
        values = np.array([r["metrics"][name] for r in records], dtype="float64")
        std = float(np.std(values, ddof=1)) if len(values) > 1 else math.nan
        out[name] = (float(np.mean(values)), std)
    return out
