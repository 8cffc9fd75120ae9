"""The KL-weight schedules of the text VAEs (thesis §5.3), shared by the models and callbacks."""

from keras import ops


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
