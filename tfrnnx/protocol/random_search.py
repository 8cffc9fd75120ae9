"""Random search over a declared space, one recorded run per trial (thesis §5.6.4)."""

import json
import os
import traceback

from tfrnnx._validation import check_integer
from tfrnnx._validation import fail
from tfrnnx._validation import is_integer
from tfrnnx.io_utils import write_text_atomically
from tfrnnx.protocol import records
from tfrnnx.protocol._keras_tuner import keras_tuner
from tfrnnx.protocol.search_space import SearchSpace


class RandomSearch:
    """Random search minimising (or maximising) one metric, on KerasTuner's engine.

    Every trial calls `trial_fn(hparams, seed, run_dir) -> dict[str, float]` once. The
    run's own scores are kept: `<directory>/trials/<trial_id>/scores.json` holds
    `{"id", "hparams", "seed", "metrics", "wall_s"}` (written atomically when the trial
    has finished) and `run_dir` is that same folder, for the run's logs and checkpoints.
    Each finished trial is also logged to TensorBoard's HParams dashboard under
    `<directory>/tensorboard/<trial_id>`. KerasTuner's own state lives in
    `<directory>/<project_name>`.

    Resuming: calling `run()` again (in a new process, after a crash or an interrupt)
    keeps the finished trials and runs only the remaining ones. A trial interrupted
    mid-run (KerasTuner recorded it as running) is rerun with the same trial id and the
    same hyperparameters; its `run_dir` is kept, so a `trial_fn` that checkpoints there can
    pick up where it stopped. A trial whose `trial_fn` raised an `Exception` is marked
    failed by KerasTuner (after `max_retries_per_trial` retries), counts towards
    `num_trials` and is not rerun; its traceback is in `trials/<trial_id>/error.txt`.

    Distributed: run the same script on several machines that share `directory`, with
    `KERASTUNER_TUNER_ID` (`chief` on one, `tuner0`, `tuner1`, ... on the others),
    `KERASTUNER_ORACLE_IP` and `KERASTUNER_ORACLE_PORT` set; the chief's `run()` serves
    the search over gRPC until every trial has finished, the workers' `run()` run trials.
    See `docs/protocol.md`.

    Args:
        trial_fn: callable `(hparams: dict, seed: int, run_dir: str) -> dict[str, float]`;
            the dict must hold `objective`.
        space: `SearchSpace` or its spec dict.
        directory: folder of the search (created if missing).
        objective: name of the metric to optimise. Default value: `"fd"`.
        direction: `"min"` or `"max"`. Default value: `"min"`.
        num_trials: number of trials of the whole search (raising it and calling `run()`
            again extends a finished search). Default value: 100.
        seed: seed of the sampler of hyperparameters, also passed to every trial's
            `trial_fn`, so trials differ only by their hyperparameters. Default value: 0.
        project_name: name of KerasTuner's state folder in `directory`.
        max_retries_per_trial: retries of a trial whose `trial_fn` raised. Default value: 0.
        max_consecutive_failed_trials: the search stops with an error after that many
            failed trials in a row. Default value: 3.
        verbose: KerasTuner's progress display (0 silent, 1 a table per trial).

    Example:

    >>> import tempfile, tfrnnx.protocol
    >>> def trial_fn(hparams, seed, run_dir):
    ...     return {"fd": (hparams["x"] - 0.3) ** 2}
    >>> search = tfrnnx.protocol.RandomSearch(
    ...     trial_fn, {"x": ("uniform", 0.0, 1.0)}, tempfile.mkdtemp(), num_trials=20)
    >>> len(search.run())
    20
    >>> abs(search.best_hparams()["x"] - 0.3) < 0.1
    True

    References:
        Thesis §5.6.4 (evaluation protocol: random search, then repeated seeds).
    """

    def __init__(
        self, trial_fn, space, directory, objective="fd", direction="min", num_trials=100, seed=0,
        project_name="keras_tuner", max_retries_per_trial=0, max_consecutive_failed_trials=3,
        verbose=0,
    ):
        if not callable(trial_fn):
            raise ValueError(f"trial_fn must be callable. Received: trial_fn={trial_fn!r}")
        if direction not in ("min", "max"):
            raise ValueError(f"direction must be 'min' or 'max'. Received: direction={direction!r}")
        check_integer("num_trials", num_trials)
        if not is_integer(seed):
            fail("seed", "an integer", seed)
        if not isinstance(objective, str) or not objective:
            raise ValueError(f"objective must be a metric name. Received: objective={objective!r}")
        self.trial_fn = trial_fn
        self.space = space if isinstance(space, SearchSpace) else SearchSpace(space)
        self.directory = str(directory)
        self.objective = objective
        self.direction = direction
        self.num_trials = num_trials
        self.seed = seed
        self.project_name = project_name
        self.max_retries_per_trial = max_retries_per_trial
        self.max_consecutive_failed_trials = max_consecutive_failed_trials
        self.verbose = verbose

    def run(self):
        """Runs the remaining trials; returns the records of every finished trial.

        On the chief of a distributed search, serves the trials to the workers and returns
        once all of them have finished.
        """
        self._check_same_experiment()
        oracle = keras_tuner.oracles.RandomSearchOracle(
            objective=keras_tuner.Objective(self.objective, self.direction),
            max_trials=self.num_trials, hyperparameters=self.space.hyperparameters(),
            allow_new_entries=False, tune_new_entries=False,
            max_retries_per_trial=self.max_retries_per_trial,
            max_consecutive_failed_trials=self.max_consecutive_failed_trials,
        )
        # KerasTuner draws a random seed for seed=0 (`seed or randint`): set it here. A
        # reloaded search overwrites both with its saved state.
        oracle.seed = oracle._seed_state = self.seed
        worker = _is_distributed_worker()
        # The chief stops serving once every trial has finished: a worker that starts (or
        # asks for its next trial) after that would wait for it for an hour, or find the
        # socket closed. The shared directory says whether that is why.
        if worker and self._search_complete():
            return self.results()
        try:
            tuner = _ProtocolTuner(self, oracle, directory=self.directory, project_name=self.project_name)
            tuner.search(verbose=self.verbose)
        except Exception as error:
            if not (worker and _chief_unavailable(error) and self._search_complete()):
                raise
        return self.results()

    def _search_complete(self):
        """Whether every trial has ended: finished (`scores.json`) or failed (`error.txt`)."""
        trials = os.path.join(self.directory, "trials")
        if not os.path.isdir(trials):
            return False
        ended = [
            name for name in os.listdir(trials)
            if any(os.path.exists(os.path.join(trials, name, f)) for f in ("scores.json", "error.txt"))
        ]
        return len(ended) >= self.num_trials

    def results(self):
        """Every finished trial's record (the content of its `scores.json`), by trial id."""
        trials = os.path.join(self.directory, "trials")
        if not os.path.isdir(trials):
            return []
        found = [records.read_record(os.path.join(trials, name)) for name in os.listdir(trials)]
        return sorted((r for r in found if r is not None), key=lambda r: int(r["id"]))

    def best_record(self):
        """The finished trial with the best objective (None before any has finished)."""
        done = self.results()
        if not done:
            return None
        sign = 1.0 if self.direction == "min" else -1.0
        return min(done, key=lambda r: sign * r["metrics"][self.objective])

    def best_hparams(self):
        """The hyperparameters of `best_record()`, as a dict."""
        best = self.best_record()
        if best is None:
            raise ValueError(f"No finished trial in {self.directory}: call run() first.")
        return dict(best["hparams"])

    def run_dir(self, trial_id):
        """The folder of one trial: its `scores.json` and whatever `trial_fn` wrote."""
        return os.path.join(self.directory, "trials", str(trial_id))

    def _run_trial(self, trial_id, hparams):
        run_dir = self.run_dir(trial_id)
        try:
            record, _ = records.run_recorded(
                self.trial_fn, trial_id, hparams, self.seed, run_dir, self.objective
            )
        except Exception:
            write_text_atomically(os.path.join(run_dir, "error.txt"), traceback.format_exc())
            raise
        logdir = os.path.join(self.directory, "tensorboard")
        records.write_hparams_config(logdir, self.space.tensorboard_hparams(), list(record["metrics"]))
        records.log_hparams_run(os.path.join(logdir, trial_id), record)
        return dict(record["metrics"])

    def _check_same_experiment(self):
        settings = {
            "space": self.space.get_config()["spec"],
            "objective": self.objective,
            "direction": self.direction,
            "seed": self.seed,
        }
        path = os.path.join(self.directory, "protocol_search.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as file:
                saved = json.load(file)
            if saved != settings:
                raise ValueError(
                    f"{self.directory} holds a search of other settings: {saved}. Received: "
                    f"{settings}. Use a new directory (only num_trials may change on resume)."
                )
        else:
            write_text_atomically(path, json.dumps(settings, indent=2) + "\n")


class _ProtocolTuner(keras_tuner.Tuner):
    """KerasTuner's worker loop; a trial is one recorded call of the user's `trial_fn`."""

    def __init__(self, search, oracle, **kwargs):
        self._search = search
        super().__init__(oracle, **kwargs)

    def run_trial(self, trial, *args, **kwargs):
        return self._search._run_trial(trial.trial_id, dict(trial.hyperparameters.values))


def _is_distributed_worker():
    """True in a KerasTuner distributed search on any process but the chief."""
    # KerasTuner's own rule: any tuner id containing "chief" is the chief.
    return "KERASTUNER_ORACLE_IP" in os.environ and "chief" not in os.environ.get("KERASTUNER_TUNER_ID", "")


def _chief_unavailable(error):
    """True for the gRPC errors a worker gets when the chief's server has shut down.

    UNAVAILABLE: the socket closed mid-call; DEADLINE_EXCEEDED: KerasTuner's client waited
    its hour for a chief that had already gone.
    """
    try:
        import grpc
    except ImportError:  # pragma: no cover - distributed mode needs grpcio
        return False
    codes = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
    return isinstance(error, grpc.RpcError) and error.code() in codes
