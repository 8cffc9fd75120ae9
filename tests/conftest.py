"""Test-session set-up: quiet TF, two logical CPUs for tf.distribute tests."""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(__file__))


def _native_stderr_silenced():
    """tfrnnx/_startup.py's context manager, loaded by path: importing the tfrnnx package
    would import TensorFlow first."""
    import importlib.util

    path = os.path.join(os.path.dirname(__file__), "..", "tfrnnx", "_startup.py")
    spec = importlib.util.spec_from_file_location("_tfrnnx_startup", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.native_stderr_silenced()


# Under pytest-xdist TensorFlow is imported (and the CPU devices listed) outside pytest's
# output capture: keep its native start-up lines (oneDNN, CUDA stubs) out of the report.
with _native_stderr_silenced():
    import tensorflow as tf

    _cpus = tf.config.list_physical_devices("CPU")

# MirroredStrategy tests need two devices; logical devices must be set before TF starts.
# (Listing logical devices would start the runtime, so only physical ones are listed.)
tf.config.set_logical_device_configuration(_cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)


def pytest_collection_modifyitems(items):
    # tf.test.TestCase.test_session is a deprecated helper, not a test: keep it out of the report.
    items[:] = [item for item in items if item.name != "test_session"]
