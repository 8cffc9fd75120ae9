"""Seconds-long --quick run of scripts/cluttered_mnist.py on real MNIST (house style, point 7)."""

import os
import tempfile

import tensorflow as tf

from data_dir import real_data_dir
from script_loading import load_script


class ClutteredMnistScriptTest(tf.test.TestCase):
    def test_quick_run_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("mnist"))
        script = load_script("cluttered_mnist")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "cluttered.md")
            argv = ["--quick", "--data-dir", data_dir, "--out", out, "--logdir", tmp]
            self.assertEqual(script.main(argv), 0)
            with open(out) as f:
                table = f.read()
            png = tf.io.decode_png(tf.io.read_file(os.path.join(tmp, "cluttered_glimpses.png")))
        for name in ("with context network", "no context network", "CNN baseline"):
            self.assertIn(name, table)
        self.assertIn("| 1.80 |", table)
        self.assertIn("2 CPU cores" if os.cpu_count() == 2 else "CPU cores", table)
        self.assertEqual(tuple(png.shape), (40, 6 * 40, 3))

    def test_quick_sum_task_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("mnist"))
        script = load_script("cluttered_mnist")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "sum.md")
            argv = ["--quick", "--task", "sum", "--models", "context", "--data-dir", data_dir,
                    "--out", out, "--logdir", tmp]  # fmt: skip
            self.assertEqual(script.main(argv), 0)
            with open(out) as f:
                table = f.read()
        self.assertIn("digit sums", table)
        self.assertIn('task=\\"sum\\"'.replace("\\", ""), table)
        self.assertIn("| 2.55 |", table)
        self.assertIn("0 8x8 clutter fragments", table)
