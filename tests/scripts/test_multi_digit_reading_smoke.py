"""Seconds-long --quick run of scripts/multi_digit_reading.py on real MNIST (style point 7)."""

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
        self.assertIn("stands in for SVHN", table)
        self.assertIn("CPU cores", table)
        for reader in ("forward (left to right)", "backward (right to left)", "combined"):
            rows = [line for line in table.splitlines() if line.startswith(f"| {reader}")]
            self.assertLen(rows, 1, reader)
            cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
            sequence_error, digit_error = float(cells[1]), float(cells[2])
            for value in (sequence_error, digit_error):
                self.assertBetween(value, 0.0, 100.0)
            self.assertEqual(cells[3], "—")
            self.assertTrue(re.fullmatch(r"\d+", cells[5]), cells[5])

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
