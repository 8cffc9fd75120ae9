import importlib.util
import os
import tempfile

import tensorflow as tf

from data_dir import real_data_dir

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "text_vae_kl_vs_length.py")


class TextVAEKLVsLengthSmokeTest(tf.test.TestCase):
    def test_quick_run_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("ptb"))
        spec = importlib.util.spec_from_file_location("text_vae_kl_vs_length", SCRIPT)
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "table.md")
            script.main(["--quick", "--data-dir", data_dir, "--out", out])
            with open(out) as f:
                table = f.read()
        self.assertEqual(table.count("| 16 |"), 3)
        self.assertIn("hybrid", table)
        self.assertIn("word dropout 0.5", table)

    def test_historyless_quick_run_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("ptb"))
        path = os.path.join(os.path.dirname(SCRIPT), "text_vae_historyless.py")
        spec = importlib.util.spec_from_file_location("text_vae_historyless", path)
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "table.md")
            script.main(["--quick", "--data-dir", data_dir, "--out", out])
            with open(out) as f:
                table = f.read()
        self.assertEqual(table.count("| 16 |"), 2)
        self.assertIn("deconv (historyless)", table)
