"""A declarative hyperparameter search space (thesis §5.6.4)."""

import math
import numbers

from tensorboard.plugins.hparams import api as hparams_api

from tfrnnx.protocol._keras_tuner import keras_tuner

_KINDS = ("log_uniform", "uniform", "int", "choice", "fixed")


class SearchSpace:
    """A search space declared as a dict, turned into KerasTuner hyperparameters.

    Each entry maps a hyperparameter name to one of:

    - `("log_uniform", lo, hi)`: a float drawn log-uniformly from `[lo, hi]`, `0 < lo < hi`;
    - `("uniform", lo, hi)`: a float drawn uniformly from `[lo, hi]`, `lo < hi`;
    - `("int", lo, hi)`: an integer drawn uniformly from `lo, ..., hi` (both included);
    - `("choice", [v1, v2, ...])`: one of the values (all of one type: int, float, str
      or bool), each with the same probability;
    - `("fixed", value)`: always `value`.

    Args:
        spec: dict name -> spec tuple, as above. Validated at once: a bad entry raises
            `ValueError` naming the hyperparameter and the spec received.

    Example:

    >>> import tfrnnx.protocol
    >>> space = tfrnnx.protocol.SearchSpace({
    ...     "learning_rate": ("log_uniform", 1e-4, 1e-2),
    ...     "units": ("int", 64, 512),
    ...     "cell": ("choice", ["lstm", "gru"]),
    ...     "epochs": ("fixed", 20),
    ... })
    >>> sorted(space.hyperparameters().values)
    ['cell', 'epochs', 'learning_rate', 'units']

    References:
        Thesis §5.6.4 (evaluation protocol: random search, then repeated seeds).
    """

    def __init__(self, spec):
        if not isinstance(spec, dict) or not spec:
            raise ValueError(
                "spec must be a non-empty dict {name: (kind, ...)}, kind one of "
                f"{_KINDS}. Received: spec={spec!r}"
            )
        self.spec = {name: _validated(name, entry) for name, entry in spec.items()}

    def hyperparameters(self):
        """A new `keras_tuner.HyperParameters` holding this space (defaults as values)."""
        hp = keras_tuner.HyperParameters()
        for name, entry in self.spec.items():
            kind = entry[0]
            if kind == "log_uniform":
                hp.Float(name, entry[1], entry[2], sampling="log")
            elif kind == "uniform":
                hp.Float(name, entry[1], entry[2], sampling="linear")
            elif kind == "int":
                hp.Int(name, entry[1], entry[2])
            elif kind == "choice":
                hp.Choice(name, list(entry[1]), ordered=False)
            else:
                hp.Fixed(name, entry[1])
        return hp

    def tensorboard_hparams(self):
        """The space as `tensorboard.plugins.hparams.api.HParam`s (for `hparams_config`)."""
        out = []
        for name, entry in self.spec.items():
            kind = entry[0]
            if kind in ("log_uniform", "uniform"):
                domain = hparams_api.RealInterval(float(entry[1]), float(entry[2]))
            elif kind == "int":
                domain = hparams_api.IntInterval(int(entry[1]), int(entry[2]))
            else:
                values = list(entry[1]) if kind == "choice" else [entry[1]]
                domain = _discrete_or_none(values)
            out.append(hparams_api.HParam(name, domain))
        return out

    def get_config(self):
        """The spec as JSON-friendly lists; `SearchSpace(**config)` rebuilds the space."""
        return {"spec": {name: _as_lists(entry) for name, entry in self.spec.items()}}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _as_lists(entry):
    return [list(item) if isinstance(item, tuple) else item for item in entry]


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _validated(name, entry):
    def fail(why):
        return ValueError(
            f"Bad search space entry for hyperparameter {name!r}: {why}. Received: "
            f"{name}={entry!r}. Expected one of ('log_uniform', lo, hi), ('uniform', lo, hi), "
            "('int', lo, hi), ('choice', [values]), ('fixed', value)."
        )

    if not isinstance(name, str) or not name:
        raise fail("the name must be a non-empty string")
    if not isinstance(entry, (tuple, list)) or not entry or entry[0] not in _KINDS:
        raise fail(f"the first item must be one of {_KINDS}")
    kind, args = entry[0], tuple(entry[1:])
    if kind in ("log_uniform", "uniform", "int"):
        if len(args) != 2 or not all(_is_number(a) for a in args):
            raise fail("expected two finite numbers lo, hi")
        lo, hi = args
        if not lo < hi:
            raise fail("lo must be smaller than hi")
        if kind == "log_uniform" and lo <= 0:
            raise fail("log_uniform needs 0 < lo")
        if kind == "int":
            if int(lo) != lo or int(hi) != hi:
                raise fail("int bounds must be integers")
            return (kind, int(lo), int(hi))
        return (kind, float(lo), float(hi))
    if kind == "choice":
        if len(args) != 1 or not isinstance(args[0], (list, tuple)) or not args[0]:
            raise fail("expected one non-empty list of values")
        values = list(args[0])
        types = {type(v) for v in values}
        if len(types) != 1 or types.pop() not in (int, float, str, bool):
            raise fail("values must all be of one type: int, float, str or bool")
        if len(set(values)) != len(values):
            raise fail("values must be distinct")
        return (kind, tuple(values))
    if len(args) != 1 or not isinstance(args[0], (int, float, str, bool)):
        raise fail("expected one int, float, str or bool value")
    return (kind, args[0])


def _discrete_or_none(values):
    try:
        return hparams_api.Discrete(values)
    except (TypeError, ValueError):
        return None
