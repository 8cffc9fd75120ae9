"""Seconds-long --quick runs of scripts/twitter_sentiment.py and scripts/conll_ner.py."""

import json
import os
import tempfile

import tensorflow as tf

from data_dir import real_data_dir
from script_loading import load_script


class ChapterThreeScriptsTest(tf.test.TestCase):
    def _quick(self, name, subdir):
        data_dir = os.path.dirname(real_data_dir(subdir))
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, f"{name}.md")
            argv = ["--quick", "--data-dir", data_dir, "--out", out, "--workdir", os.path.join(tmp, "w")]
            rows = load_script(name).main(argv)
            with open(out) as file:
                page = file.read()
            with open(os.path.join(tmp, f"{name}.json")) as file:
                twin = json.load(file)
            # A second run reads every configuration back from the work directory.
            self.assertEqual(load_script(name).main(argv), rows)
        self.assertEqual(twin["rows"], rows)
        self.assertIn("thesis", twin)
        self.assertIn("Settings where we differ from the thesis", page)
        return rows, page, twin

    def test_twitter_sentiment_quick_needs_real_data(self):
        rows, page, _ = self._quick("twitter_sentiment", "semeval_twitter")
        self.assertEqual([r["config"] for r in rows], ["rnn rd=0", "rnn rd=0.25", "lstm rd=0", "lstm rd=0.25"])
        self.assertIn("67.54", page)  # the thesis column beside ours
        for row in rows:
            self.assertBetween(row["twitter13"], 0.0, 100.0)

    def test_conll_ner_quick_needs_real_data(self):
        rows, page, twin = self._quick("conll_ner", "conll2003")
        self.assertEqual([(r["scheme"], r["sampling"]) for r in rows], [("none", "-"), ("ours", "per_step")])
        # Each seed's row is in the twin, so the cache can be rebuilt from a committed page.
        self.assertEqual([(r["scheme"], r["seed"]) for r in twin["runs"]], [("none", 0), ("ours", 0)])
        self.assertNotIn("curve", twin["runs"][0])
        self.assertIn("90.53", page)
        for row in rows:
            self.assertBetween(row["test_f1"], 0.0, 100.0)

    def test_bad_flags_are_named(self):
        for name, flag in (("twitter_sentiment", ["--cells", "lstm,tcn"]), ("conll_ner", ["--schemes", "bayes"])):
            with self.assertRaises(SystemExit):
                load_script(name).parse_args(flag + ["--data-dir", "/x"])
