"""The KL-weight schedules of the text VAEs (thesis §5.3), shared by the models and callbacks.

`linear_kl_weight` is the schedule; `convergence_step` and `heuristic_kl_annealing` are the
thesis' recipe for choosing it (lines 2512-2515): "we first run a model with KL weight fixed
to 0 to find the number of iterations it needs to converge. We then configure the annealing
schedule to start after the unregularized model has converged and last for no less than 20%
of that amount."
"""

import math

from keras import ops

from tfrnnx._validation import check_integer
from tfrnnx._validation import check_number
from tfrnnx._validation import is_number


def linear_kl_weight(step, start_step, duration_steps):
    """β of the linear KL-annealing schedule (Bowman et al. 2016; thesis §5.3).

    β = 0 before `start_step`, rises linearly to 1 over `duration_steps` steps, then
    stays at 1. With `duration_steps == 0` it jumps from 0 to 1 at `start_step`.
    Works on Python numbers and on tensors.
    """
    step = ops.cast(step, "float32")
    if duration_steps == 0:
        return ops.cast(step >= start_step, "float32")
    return ops.clip((step - float(start_step)) / float(duration_steps), 0.0, 1.0)


def convergence_step(losses, steps, patience=3, min_relative_improvement=0.01):
    """The step at which a loss curve has converged: the step of its best loss before a run
    of `patience` evaluations none of which improves on that best by more than
    `min_relative_improvement` (relative).

    Args:
        losses: the (validation) losses of a KL-weight-0 run, one per evaluation.
        steps: the optimizer step of each evaluation, increasing.
        patience: evaluations without improvement that mark convergence.
        min_relative_improvement: smallest relative decrease that counts as improvement.

    Returns:
        The step of the best loss at convergence, or None if the curve was still improving
        at its end (the run was too short to tell).

    Example:

    >>> from tfrnnx.models.text_vae.kl_schedule import convergence_step
    >>> convergence_step([5.0, 3.0, 2.0, 1.99, 1.985, 1.99], [100, 200, 300, 400, 500, 600])
    300
    """
    losses, steps = list(losses), list(steps)
    if len(losses) != len(steps) or not losses:
        raise ValueError(
            "losses and steps must be non-empty and of one length. Received: "
            f"{len(losses)} losses and {len(steps)} steps"
        )
    if not all(is_number(loss) for loss in losses):
        raise ValueError(f"losses must be finite numbers. Received: losses={losses!r}")
    if any(b <= a for a, b in zip(steps, steps[1:])):
        raise ValueError(f"steps must increase. Received: steps={steps!r}")
    patience = check_integer("patience", patience)
    tolerance = check_number("min_relative_improvement", min_relative_improvement, 0, 1,
                             include_high=False)  # fmt: skip
    best, best_index, waited = losses[0], 0, 0
    for index, loss in enumerate(losses[1:], start=1):
        if loss < best - tolerance * abs(best):
            best, best_index, waited = loss, index, 0
        else:
            waited += 1
            if waited >= patience:
                return steps[best_index]
    return None


def heuristic_kl_annealing(converged_at, duration_fraction=0.2):
    """`(start_step, duration_steps)` by the thesis' heuristic: annealing starts once the
    KL-weight-0 model has converged (`converged_at` steps) and lasts `duration_fraction`
    of that (at least 20%, the thesis' floor; at least one step).

    Pass it as `kl_annealing=` to `HybridTextVAE` / `LSTMTextVAE`, or unpack it into
    `tfrnnx.callbacks.KLAnnealing`.

    Example:

    >>> from tfrnnx.models.text_vae.kl_schedule import heuristic_kl_annealing
    >>> heuristic_kl_annealing(3000)
    (3000, 600)
    """
    converged_at = check_integer("converged_at", converged_at)
    duration_fraction = check_number("duration_fraction", duration_fraction, 0.2, None)
    return converged_at, max(1, math.ceil(duration_fraction * converged_at))
