"""Runs the `>>>` examples of every public tfrnnx docstring (house style, point 5)."""

import doctest
import importlib
import pkgutil

import tensorflow as tf

import tfrnnx


def _modules():
    for info in pkgutil.walk_packages(tfrnnx.__path__, "tfrnnx."):
        yield importlib.import_module(info.name)


class DocstringExamplesTest(tf.test.TestCase):
    def test_every_example_runs(self):
        finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        attempted = 0
        seen = set()
        for module in _modules():
            for test in finder.find(module):
                if test.name in seen or not test.examples:
                    continue
                seen.add(test.name)
                result = runner.run(test)
                attempted += result.attempted
                self.assertEqual(result.failed, 0, f"docstring example failed: {test.name}")
        self.assertGreater(attempted, 10)
