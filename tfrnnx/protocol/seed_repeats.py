"""One configuration retrained with several seeds, every run kept (thesis §5.6.4)."""

import os

from tfrnnx.protocol import records


class SeedRepeats:
    """Trains one configuration once per seed and reports mean ± std of every metric.

    Each seed's run is kept: `<directory>/seed_<seed>/scores.json` holds
    `{"id", "hparams", "seed", "metrics", "wall_s"}` and `run_dir` is that folder. Runs are
    logged to TensorBoard's HParams dashboard under `<directory>/tensorboard/seed_<seed>`.
    `run()` skips the seeds whose `scores.json` exists, so an interrupted `run()` resumes
    at the first unfinished seed. Seeds may also be spread over machines that share
    `directory`: `SeedRepeats(..., seeds=[s])` on each, then `summary()` anywhere.

    Args:
        trial_fn: callable `(hparams: dict, seed: int, run_dir: str) -> dict[str, float]`,
            as for `RandomSearch`.
        hparams: dict of the configuration to retrain (e.g. `RandomSearch.best_hparams()`).
        directory: folder of the runs (created if missing).
        seeds: number of seeds K (seeds `0, ..., K-1`) or a list of distinct integer
            seeds. Default value: 7.
        objective: metric every run must report. Default value: `"fd"`.

    Example:

    >>> import tempfile, tfrnnx.protocol
    >>> def trial_fn(hparams, seed, run_dir):
    ...     return {"fd": hparams["x"] + seed}
    >>> repeats = tfrnnx.protocol.SeedRepeats(trial_fn, {"x": 1.0}, tempfile.mkdtemp(), seeds=3)
    >>> len(repeats.run())
    3
    >>> repeats.summary()["fd"]  # mean of 1, 2, 3 and their sample std (ddof=1)
    (2.0, 1.0)

    References:
        Thesis §5.6.4 (evaluation protocol: random search, then repeated seeds).
    """

    def __init__(self, trial_fn, hparams, directory, seeds=7, objective="fd"):
        if not callable(trial_fn):
            raise ValueError(f"trial_fn must be callable. Received: trial_fn={trial_fn!r}")
        if not isinstance(hparams, dict):
            raise ValueError(f"hparams must be a dict. Received: hparams={hparams!r}")
        if isinstance(seeds, int) and not isinstance(seeds, bool):
            if seeds < 1:
                raise ValueError(f"seeds must be >= 1 or a list of seeds. Received: seeds={seeds}")
            seeds = list(range(seeds))
        seeds = list(seeds) if isinstance(seeds, (list, tuple, range)) else None
        if (
            not seeds
            or not all(isinstance(s, int) and not isinstance(s, bool) for s in seeds)
            or len(set(seeds)) != len(seeds)
        ):
            raise ValueError(
                "seeds must be an integer >= 1 or a non-empty list of distinct integers. "
                f"Received: seeds={seeds!r}"
            )
        self.trial_fn = trial_fn
        self.hparams = {name: records.jsonable(value) for name, value in hparams.items()}
        self.directory = str(directory)
        self.seeds = seeds
        self.objective = objective

    def run_dir(self, seed):
        """The folder of one seed's run: its `scores.json` and whatever `trial_fn` wrote."""
        return os.path.join(self.directory, f"seed_{seed}")

    def run(self):
        """Runs the seeds not yet finished, in order; returns every seed's record."""
        for seed in self.seeds:
            name = f"seed_{seed}"
            record, ran = records.run_recorded(
                self.trial_fn, name, self.hparams, seed, self.run_dir(seed), self.objective
            )
            if ran:
                logdir = os.path.join(self.directory, "tensorboard")
                records.write_hparams_config(logdir, [], list(record["metrics"]))
                records.log_hparams_run(os.path.join(logdir, name), record)
        return self.runs()

    def runs(self):
        """The records of the finished seeds (contents of their `scores.json`), in seed order."""
        found = [records.read_record(self.run_dir(s)) for s in self.seeds]
        return [r for r in found if r is not None]

    def summary(self):
        """{metric: (mean, std)} over the finished seeds; std is the sample std (ddof=1).

        With a single finished seed the std is NaN. Metrics missing from some run are left
        out.
        """
        return records.mean_std(self.runs())
