"""Seconds-long --quick run of scripts/multi_digit_reading.py on real MNIST (style point 7)."""

import json
import os
import re
import tempfile

import tensorflow as tf

from data_dir import real_data_dir
from script_loading import load_script

T = 10  # terminal class


class MultiDigitReadingScriptTest(tf.test.TestCase):
    def test_quick_run_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("mnist"))
        script = load_script("multi_digit_reading")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "reading.md")
            argv = ["--quick", "--data-dir", data_dir, "--out", out, "--logdir", tmp]
            self.assertEqual(script.main(argv), 0)
            with open(out) as f:
                table = f.read()
            with open(os.path.join(tmp, "reading.json")) as f:
                twin = json.load(f)
        self.assertIn("stands in for SVHN", table)
        self.assertIn("CPU cores", table)
        # Thesis Table 4.3 (64x64): forward 4.5 / 4.3, both 3.9 / 3.65, single pass / average.
        thesis = {("forward", "single pass"): "4.50", ("forward", "average"): "4.30",
                  ("combined", "single pass"): "3.90", ("combined", "average"): "3.65"}
        for reader in ("forward (left to right)", "backward (right to left)", "combined"):
            rows = [line for line in table.splitlines() if line.startswith(f"| {reader}")]
            self.assertLen(rows, 2, reader)  # single pass and averaged over noisy runs
            for row in rows:
                cells = [cell.strip() for cell in row.strip("|").split("|")]
                sequence_error, digit_error = float(cells[2]), float(cells[3])
                for value in (sequence_error, digit_error):
                    self.assertBetween(value, 0.0, 100.0)
                self.assertEqual(cells[4], thesis.get((reader.split()[0], cells[1]), "—"))
                self.assertTrue(re.fullmatch(r"\d+", cells[6]), cells[6])
        self.assertEqual({(r["reader"], r["mode"]) for r in twin["rows"]},
                         {(r, m) for r in ("forward", "backward", "combined")
                          for m in ("single", "average")})
        self.assertIn("--quick", twin["command"])

    def test_sequence_errors_on_a_hand_made_example(self):
        labels = [[1, 2, T], [3, T, T], [4, 5, T], [7, T, T], [8, 9, T]]
        predicted = [
            [1, 2, T],  # right
            [3, T, 4],  # right: classes after the first terminal are ignored
            [4, 6, T],  # wrong digit: 1 digit error
            [7, 7, 7],  # no terminal (extra digits): sequence wrong, its digit right
            [8, T, 9],  # early terminal: sequence wrong, 1 digit error
        ]
        script = load_script("multi_digit_reading")
        sequence_error, digit_error = script.sequence_errors(predicted, labels)
        self.assertAllClose(sequence_error, 100.0 * 3 / 5)  # rows 2, 3, 4 wrong
        self.assertAllClose(digit_error, 100.0 * 2 / 8)  # 8 label digits, 2 wrong
        self.assertEqual(script.sequence_errors(labels, labels), (0.0, 0.0))
        with self.assertRaisesRegex(ValueError, r"predicted.shape=\(1, 2\)"):
            script.sequence_errors([[1, T]], labels)
