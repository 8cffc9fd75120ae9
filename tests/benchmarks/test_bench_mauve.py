"""Smoke test of benchmarks/bench_mauve.py --quick: both implementations timed and scored."""

import json
import os
import tempfile

import tensorflow as tf

from script_loading import load_script


def _load():
    return load_script("bench_mauve", folder="benchmarks")


class BenchMauveTest(tf.test.TestCase):
    def test_quick_run_writes_page_and_twin(self):
        bench = _load()
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "mauve.md")
            self.assertEqual(bench.main(["--quick", "--out", out]), 0)
            with open(out) as file:
                page = file.read()
            with open(os.path.join(tmp, "mauve.json")) as file:
                twin = json.load(file)
        self.assertIn("--quick smoke run", page)
        self.assertEqual([r["implementation"] for r in twin["rows"]], ["tfrnnx", "mauve-text"])
        ours, theirs = (r["mauve_mean"] for r in twin["rows"])
        # The same features and defaults: both see two nearly equal sets (a shift of 0.05).
        self.assertBetween(ours, 0.5, 1.0)
        self.assertBetween(theirs, 0.5, 1.0)
        # A quick call takes milliseconds, below the twin's rounding: only the ratio's presence.
        self.assertGreater(twin["speedup"], 0)
        self.assertIn("x mauve-text (its seconds / ours), same run.", page)

    def test_rejects_a_non_positive_size(self):
        bench = _load()
        with self.assertRaisesRegex(SystemExit, "2"):
            bench.main(["--rows", "0"])
