"""`run_protocol`: random search, then the best configuration retrained with K seeds."""

import json
import os

from tfrnnx.io_utils import write_text_atomically
from tfrnnx.protocol.random_search import RandomSearch
from tfrnnx.protocol.seed_repeats import SeedRepeats


def run_protocol(
    trial_fn, space, directory, num_trials=100, num_seeds=7, objective="fd", direction="min",
    seed=0, verbose=0, final_trial_fn=None,
):
    """The evaluation protocol of thesis §5.6.4, resumable at every step.

    1. `RandomSearch` of `num_trials` trials in `<directory>/search` (seed `seed`).
    2. `SeedRepeats` of the best trial's hyperparameters (run by `final_trial_fn`, if given)
       with seeds
       `seed + 1, ..., seed + num_seeds` in `<directory>/seeds` (the search seed is left out,
       so the winning run, selected for its luck, is not averaged in).
    3. `<directory>/summary.json` and `<directory>/summary.md`: best hyperparameters and
       mean ± sample std (ddof=1) of every metric over the seeds, with each seed's values.

    In a distributed search (see `docs/protocol.md`) the workers return None once the
    search is over; the chief goes on to retrain the seeds.

    Args:
        trial_fn: callable `(hparams, seed, run_dir) -> dict[str, float]`.
        space: `SearchSpace` or its spec dict.
        directory: folder of the whole protocol.
        num_trials: trials of the random search. Default value: 100.
        num_seeds: seeds of the retraining. Default value: 7.
        objective: metric to optimise. Default value: `"fd"`.
        direction: `"min"` or `"max"`. Default value: `"min"`.
        seed: seed of the search. Default value: 0.
        verbose: KerasTuner's progress display.
        final_trial_fn: None (the seeds run `trial_fn`), or the callable of the seed
            repeats, e.g. `trial_fn` plus the metrics too expensive for tuning (the thesis
            tunes on FD and reports the reverse-LM score for the final models only).

    Returns:
        The summary dict written to `summary.json` (None on a distributed worker).
    """
    search = RandomSearch(
        trial_fn, space, os.path.join(directory, "search"), objective=objective,
        direction=direction, num_trials=num_trials, seed=seed, verbose=verbose,
    )
    search.run()
    if "KERASTUNER_ORACLE_IP" in os.environ and "chief" not in os.environ.get("KERASTUNER_TUNER_ID", ""):
        return None
    best = search.best_record()
    repeats = SeedRepeats(
        final_trial_fn or trial_fn, best["hparams"], os.path.join(directory, "seeds"),
        seeds=[seed + 1 + i for i in range(num_seeds)], objective=objective,
    )
    runs = repeats.run()
    summary = {
        "objective": objective,
        "direction": direction,
        "num_trials": len(search.results()),
        "best_trial": best,
        "best_hparams": best["hparams"],
        "seeds": [r["seed"] for r in runs],
        "metrics": {
            name: {"mean": mean, "std": std, "values": [r["metrics"][name] for r in runs]}
            for name, (mean, std) in repeats.summary().items()
        },
        "std": "sample standard deviation (ddof=1) over the seeds",
    }
    write_text_atomically(os.path.join(directory, "summary.json"), json.dumps(summary, indent=2) + "\n")
    write_text_atomically(os.path.join(directory, "summary.md"), _markdown(summary))
    return summary


def _markdown(summary):
    lines = [
        f"Random search: {summary['num_trials']} trials, {summary['direction']}imising "
        f"`{summary['objective']}`; best trial {summary['best_trial']['id']}.",
        "",
        "| hyperparameter | value |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in summary["best_hparams"].items()),
        "",
        f"Best configuration retrained with seeds {summary['seeds']}: mean ± sample std (ddof=1).",
        "",
        "| metric | mean ± std | per seed |",
        "|---|---|---|",
    ]
    for name, row in summary["metrics"].items():
        values = ", ".join(f"{v:.4g}" for v in row["values"])
        lines.append(f"| {name} | {row['mean']:.4g} ± {row['std']:.2g} | {values} |")
    return "\n".join(lines) + "\n"
