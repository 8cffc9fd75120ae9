"""Cheap analytic trial functions for the protocol tests (no training)."""

import json
import os

import numpy as np

SPACE = {
    "x": ("uniform", 0.0, 1.0),
    "learning_rate": ("log_uniform", 1e-4, 1e-1),
    "units": ("int", 2, 9),
    "cell": ("choice", ["lstm", "gru", "rhn"]),
    "epochs": ("fixed", 3),
}


def noise(seed):
    return float(np.random.default_rng(seed).normal())


def analytic_metrics(hparams, seed):
    """fd is minimal at x = 0.3; the seed only adds a small offset."""
    return {
        "fd": (hparams["x"] - 0.3) ** 2 + 0.01 * noise(seed),
        "bleu4": 1.0 - hparams["x"] + 0.1 * noise(seed + 100),
        "units_seen": float(hparams["units"]),
    }


class CountingTrialFn:
    """Appends `{"run_dir", "hparams", "seed", "tuner"}` to `calls_path` at each call (any process)."""

    def __init__(self, calls_path, crash_at_call=None):
        self.calls_path = calls_path
        self.crash_at_call = crash_at_call

    def __call__(self, hparams, seed, run_dir):
        with open(self.calls_path, "a", encoding="utf-8") as file:
            file.write(json.dumps({"run_dir": os.path.basename(run_dir), "hparams": hparams, "seed": seed,
                                   "tuner": os.environ.get("KERASTUNER_TUNER_ID")}) + "\n")
        if self.crash_at_call is not None and len(read_calls(self.calls_path)) == self.crash_at_call:
            os._exit(3)  # a hard crash: no exception handler, no clean-up
        return analytic_metrics(hparams, seed)


def read_calls(calls_path):
    if not os.path.exists(calls_path):
        return []
    with open(calls_path, encoding="utf-8") as file:
        return [json.loads(line) for line in file]
