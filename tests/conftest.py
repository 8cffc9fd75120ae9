"""Test-session set-up: quiet TF, two logical CPUs for tf.distribute tests."""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(__file__))

import tensorflow as tf  # noqa: E402

# MirroredStrategy tests need two devices; logical devices must be set before TF starts.
# (Listing logical devices would start the runtime, so only physical ones are listed.)
_cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(_cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)


def pytest_collection_modifyitems(items):
    # tf.test.TestCase.test_session is a deprecated helper, not a test: keep it out of the report.
    items[:] = [item for item in items if item.name != "test_session"]
