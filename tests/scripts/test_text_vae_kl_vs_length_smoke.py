import os
import tempfile

import tensorflow as tf

from data_dir import real_data_dir
from script_loading import load_script


class TextVAEKLVsLengthSmokeTest(tf.test.TestCase):
    def test_quick_run_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("ptb"))
        script = load_script("text_vae_kl_vs_length")
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
        script = load_script("text_vae_historyless")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "table.md")
            script.main(["--quick", "--data-dir", data_dir, "--out", out])
            with open(out) as f:
                table = f.read()
        self.assertEqual(table.count("| 16 |"), 2)
        self.assertIn("deconv (historyless)", table)
