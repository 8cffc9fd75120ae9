"""Quiet start for the ``tfrnnx`` command: TensorFlow is imported with native stderr hidden.

TensorFlow's C++ start-up lines (oneDNN, CUDA stubs, CPU features) are written before its
log level applies, so no environment variable stops them. When the running program is the
``tfrnnx`` command, TensorFlow is imported here first, with file descriptor 2 pointed at
/dev/null, so the command prints only its own output. Library users importing tfrnnx from
their own programs see TensorFlow's messages as usual.
"""

import contextlib
import os
import sys


@contextlib.contextmanager
def native_stderr_silenced():
    """Hides what native code writes to file descriptor 2 inside the block.

    Python exceptions raised inside the block propagate and are printed after it.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def running_as_command():
    return os.path.basename(sys.argv[0] if sys.argv else "") == "tfrnnx"


if running_as_command() and "tensorflow" not in sys.modules:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with native_stderr_silenced():
        import tensorflow  # noqa: F401
