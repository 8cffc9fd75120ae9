"""Every argument check of tfrnnx, with one message style.

A failed check raises ``ValueError("<name> must be <what>. Received: <name>=<value>")``, so a
user reads which argument was wrong, what would be accepted and what was passed. Each check
returns the value converted to a plain Python type, ready to store as an attribute.
"""

import math
import numbers


def fail(name, what, value):
    """Raises the house-style ValueError for argument ``name``."""
    raise ValueError(f"{name} must be {what}. Received: {name}={value!r}")


def is_integer(value):
    """True for ints and numpy integers, False for bools (which Python counts as ints)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value):
    """True for finite real numbers other than bools."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _integer_range(minimum, maximum):
    if maximum is not None:
        return f"an integer in [{minimum}, {maximum}]"
    if minimum == 1:
        return "a positive integer"
    if minimum == 0:
        return "a non-negative integer"
    return f"an integer >= {minimum}"


def check_integer(name, value, minimum=1, maximum=None):
    """Returns ``int(value)`` for an integer in [minimum, maximum] (default: positive)."""
    if not is_integer(value) or value < minimum or (maximum is not None and value > maximum):
        fail(name, _integer_range(minimum, maximum), value)
    return int(value)


def check_number(name, value, low=None, high=None, include_low=True, include_high=True):
    """Returns ``float(value)`` for a finite number within the given bounds."""
    ok = is_number(value)
    if ok and low is not None:
        ok = value >= low if include_low else value > low
    if ok and high is not None:
        ok = value <= high if include_high else value < high
    if not ok:
        fail(name, _number_range(low, high, include_low, include_high), value)
    return float(value)


def _number_range(low, high, include_low, include_high):
    if low is not None and high is not None:
        opening = "[" if include_low else "("
        closing = "]" if include_high else ")"
        return f"a number in {opening}{low}, {high}{closing}"
    if low is not None:
        return f"a number {'>=' if include_low else '>'} {low}"
    if high is not None:
        return f"a number {'<=' if include_high else '<'} {high}"
    return "a finite number"


def check_rate(name, value, include_one=False):
    """Returns a dropout-style rate as a float in [0, 1) (or [0, 1] with ``include_one``)."""
    return check_number(name, value, 0, 1, include_high=include_one)


def check_seed(name, value):
    """Returns None or an int: the seeds Keras' initializers and seed generators take."""
    if value is not None and not is_integer(value):
        fail(name, "None or an integer", value)
    return None if value is None else int(value)


def check_bool(name, value):
    if not isinstance(value, bool):
        fail(name, "True or False", value)
    return value


def check_choice(name, value, choices):
    """Returns ``value`` if it is one of ``choices``."""
    if isinstance(value, (list, dict, set)) or value not in choices:
        fail(name, f"one of {', '.join(repr(c) for c in choices)}", value)
    return value


def check_token_array(name, ids, vocab_size, sequence_length):
    """Checks concrete (eager) token ids; returns them as an int32 numpy array.

    The companion of ``check_token_batch`` for arrays given to a model's own methods
    (``encode``, ``pretrain``, ...): a ValueError names ``name`` for an empty array, a
    non-integer dtype, a shape other than ``(batch, sequence_length)`` or an id outside
    [0, vocab_size). Symbolic tensors (inside a trace) pass through unchecked.
    """
    import keras
    import numpy as np
    import tensorflow as tf

    if (isinstance(ids, tf.Tensor) and not tf.executing_eagerly()) or keras.backend.is_keras_tensor(ids):
        return ids
    array = np.asarray(ids)
    shape = f"(batch, sequence_length={sequence_length})"
    if array.size == 0:
        raise ValueError(f"{name} must be non-empty int token ids of shape {shape}. "
                         f"Received: {name} with shape {array.shape}")  # fmt: skip
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integer token ids in [0, {vocab_size}). "
                         f"Received: {name} of dtype {array.dtype}")  # fmt: skip
    if array.ndim != 2 or array.shape[1] != sequence_length:
        raise ValueError(f"{name} must be int token ids of shape {shape}. "
                         f"Received: {name} with shape {array.shape}")  # fmt: skip
    low, high = int(array.min()), int(array.max())
    if low < 0 or high >= vocab_size:
        raise ValueError(f"{name} must hold ids in [0, vocab_size={vocab_size}). Received: "
                         f"{name} containing id {low if low < 0 else high}")  # fmt: skip
    return array.astype("int32")


def check_token_batch(name, ids, vocab_size, sequence_length):
    """Checks a batch of token ids inside ``train_step`` / ``test_step`` (graph code).

    A wrong static shape raises a ValueError naming ``sequence_length`` while the step is
    traced. A wrong length the trace cannot see (Keras retraces with relaxed shapes) or
    ids outside [0, vocab_size) stop the step with an InvalidArgumentError whose message
    names ``name`` and the expected length or range, instead of a shape or gather error
    (or, on a GPU, a silent read of zeros). XLA drops assertions, so under
    ``jit_compile=True`` only the static shape is checked. Returns the ids as int32.
    """
    import tensorflow as tf

    shape = tuple(ids.shape)
    if len(shape) != 2 or (shape[1] is not None and shape[1] != sequence_length):
        raise ValueError(
            f"{name} must be int token ids of shape (batch, sequence_length={sequence_length}). "
            f"Received: {name}.shape={shape}"
        )
    ids = tf.cast(ids, "int32")
    message = f"{name} must hold ids in [0, vocab_size={vocab_size})"
    checks = [
        tf.debugging.assert_equal(
            tf.shape(ids)[1], sequence_length,
            message=f"{name} must have shape (batch, sequence_length={sequence_length})",
        ),
        tf.debugging.assert_non_negative(ids, message=message),
        tf.debugging.assert_less(ids, tf.constant(vocab_size, "int32"), message=message),
    ]
    with tf.control_dependencies(checks):
        return tf.identity(ids)


def check_sentences(sentences, name="sentences"):
    """Raises ValueError unless `sentences` is a non-empty list/tuple of strings."""
    if isinstance(sentences, str) or not isinstance(sentences, (list, tuple)):
        raise ValueError(
            f"{name} must be a non-empty list of strings. Received: {name} of type "
            f"{type(sentences).__name__}"
        )
    if not sentences:
        raise ValueError(f"{name} must be a non-empty list of strings. Received: {name}=[]")
    for index, sentence in enumerate(sentences):
        if not isinstance(sentence, str):
            raise ValueError(
                f"{name} must contain only strings. Received: {name}[{index}]={sentence!r} "
                f"of type {type(sentence).__name__}"
            )


def derived_seed(seed, offset):
    """The seed of the ``offset``-th random object built from one user ``seed`` (None stays None)."""
    return None if seed is None else seed + offset
