"""`tfrnnx evaluate` through `tfrnnx.cli.main`, on small temporary files."""

import contextlib
import io
import json
import os
import zlib
from unittest import mock

import numpy as np
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import tfrnnx.metrics
from tfrnnx import cli

SAMPLES = [
    "a man rides a horse on the beach",
    "a dog runs on the grass",
    "two people sit on a bench",
    "a cat sleeps on a red couch",
    "a man rides a bike down the street",
    "a woman holds an umbrella in the rain",
]
REFERENCES = [
    "a man is riding a horse on a beach",
    "a brown dog runs across the grass",
    "two people are sitting on a wooden bench",
    "a cat is sleeping on the couch",
    "a person rides a bicycle on the street",
    "a woman with an umbrella walks in the rain",
]
TRAIN = REFERENCES[:3] + ["a dog runs on the grass", "a bus parked near a building"]


class _FakeEncoder:
    """Deterministic bag-of-words features (dimension 4), standing in for MiniLM."""

    def __init__(self, model_dir=None):
        self.model_dir = model_dir

    def embed(self, sentences):
        out = np.zeros((len(sentences), 4), "float32")
        for i, sentence in enumerate(sentences):
            for word in sentence.split():
                out[i, zlib.crc32(word.encode()) % 4] += 1.0
        return out


class EvaluateCommandTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        self.dir = self.get_temp_dir()
        self.samples = self._write("samples.txt", "\n".join(SAMPLES) + "\n")
        self.references = self._write("references.txt", "\n".join(REFERENCES))
        self.train = self._write("train.txt", "\n".join(TRAIN) + "\n")

    def _write(self, name, content, mode="w"):
        path = os.path.join(self.dir, name)
        with open(path, mode) as f:
            f.write(content)
        return path

    def _main(self, *argv):
        """Runs `tfrnnx evaluate ...`; returns (exit code, stdout, stderr)."""
        # Only the evaluate entry of the real SUBCOMMANDS is kept, so that these tests
        # do not depend on the modules of the other subcommands.
        self.assertIn("evaluate", cli.SUBCOMMANDS)
        only = {"evaluate": cli.SUBCOMMANDS["evaluate"]}
        out, err = io.StringIO(), io.StringIO()
        with mock.patch.dict(cli.SUBCOMMANDS, only, clear=True):
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli.main(["evaluate", *argv])
        return code, out.getvalue(), err.getvalue()

    def _table(self, stdout):
        rows = [line.split() for line in stdout.splitlines()[2:]]
        return {row[0]: row[1] for row in rows}

    def test_default_metrics_need_no_model_and_equal_the_library(self):
        code, out, err = self._main("--samples", self.samples, "--references", self.references)
        self.assertEqual(0, code, err)
        table = self._table(out)
        self.assertEqual(
            ["bleu-2", "bleu-3", "bleu-4", "bleu-5", "self_bleu-2", "self_bleu-3",
             "self_bleu-4", "self_bleu-5", "unique_4grams", "unique_4gram_count"],
            list(table),
        )
        # The count, by a set of 4-gram tuples.
        count = len({tuple(s.split()[i : i + 4]) for s in SAMPLES for i in range(len(s.split()) - 3)})
        self.assertEqual(f"{count:.6f}", table["unique_4gram_count"])
        bleu = tfrnnx.metrics.bleu(REFERENCES, SAMPLES, max_order=3)
        self.assertEqual(f"{bleu:.6f}", table["bleu-3"])
        self_bleu = tfrnnx.metrics.self_bleu(SAMPLES, max_order=2)
        self.assertEqual(f"{self_bleu:.6f}", table["self_bleu-2"])
        self.assertIn("[1/3] bleu", err)

    def test_json_and_tensorboard_outputs(self):
        out_json = os.path.join(self.dir, "out.json")
        logdir = os.path.join(self.dir, "logs")
        code, _, err = self._main(
            "--samples", self.samples, "--references", self.references, "--train", self.train,
            "--bleu-orders", "2,4", "--ngram-order", "2", "--json", out_json,
            "--logdir", logdir, "--step", "7",
        )
        self.assertEqual(0, code, err)
        with open(out_json, encoding="utf-8") as f:
            document = json.load(f)
        results = document["metrics"]
        self.assertEqual({}, document["unavailable"])
        bleu = tfrnnx.metrics.bleu(REFERENCES, SAMPLES, max_order=4)
        self.assertAllClose(bleu, results["bleu-4"])
        copied, overlap = tfrnnx.metrics.memorization(SAMPLES, TRAIN, n=2)
        self.assertAllClose(1 / 6, copied)
        self.assertAllClose(copied, results["memorization_copied"])
        self.assertAllClose(overlap, results["memorization_2gram_overlap"])
        self.assertEqual([], [n for n in os.listdir(self.dir) if n.startswith(".evaluate-")])

        accumulator = EventAccumulator(logdir)
        accumulator.Reload()
        tags = accumulator.Tags()["tensors"]
        self.assertCountEqual([f"evaluate/{name}" for name in results], tags)
        event = accumulator.Tensors("evaluate/bleu-4")[0]
        self.assertEqual(7, event.step)
        self.assertAllClose(results["bleu-4"], tf.make_ndarray(event.tensor_proto))

    def test_embedder_metrics_look_the_encoder_up_at_run_time(self):
        with mock.patch.object(tfrnnx.metrics, "MiniLMEncoder", _FakeEncoder, create=True):
            code, out, err = self._main(
                "--samples", self.samples, "--references", self.references,
                "--metrics", "fd,precision_recall", "--k", "2",
            )
        self.assertEqual(0, code, err)
        table = self._table(out)
        encoder = _FakeEncoder()
        real, generated = encoder.embed(REFERENCES), encoder.embed(SAMPLES)
        self.assertEqual(f"{tfrnnx.metrics.frechet_distance(real, generated):.6f}", table["fd"])
        precision, recall = tfrnnx.metrics.precision_recall(real, generated, k=2)
        self.assertEqual(f"{precision:.6f}", table["precision"])
        self.assertEqual(f"{recall:.6f}", table["recall"])

    def test_mauve_on_embedder_features(self):
        # 40 samples and references (repeats of the fixtures) are enough for MAUVE's clusters.
        samples = self._write("many_samples.txt", "\n".join(SAMPLES * 7))
        references = self._write("many_refs.txt", "\n".join(REFERENCES * 7))
        with mock.patch.object(tfrnnx.metrics, "MiniLMEncoder", _FakeEncoder, create=True):
            code, out, err = self._main("--samples", samples, "--references", references,
                                        "--metrics", "mauve,bleu")  # fmt: skip
            few_code, few_out, few_err = self._main(
                "--samples", self.samples, "--references", self.references, "--metrics", "mauve"
            )
        self.assertEqual(0, code, err)
        encoder = _FakeEncoder()
        expected = tfrnnx.metrics.mauve(encoder.embed(SAMPLES * 7), encoder.embed(REFERENCES * 7))
        self.assertEqual(f"{expected['mauve']:.6f}", self._table(out)["mauve"])
        self.assertEqual("unavailable", self._table(few_out)["mauve"])
        self.assertIn("mauve unavailable: ValueError: p_features needs at least 10 rows", few_err)

    def test_a_metric_that_fails_is_reported_and_the_others_still_run(self):
        # 3 sentences of 4-D features are too few for a covariance: fd fails, bleu runs.
        few = self._write("few.txt", "\n".join(SAMPLES[:3]))
        few_refs = self._write("few_refs.txt", "\n".join(REFERENCES[:3]))
        with mock.patch.object(tfrnnx.metrics, "MiniLMEncoder", _FakeEncoder, create=True):
            code, out, err = self._main(
                "--samples", few, "--references", few_refs, "--metrics", "bleu,fd"
            )
        self.assertEqual(1, code)
        self.assertEqual("unavailable", self._table(out)["fd"])
        self.assertIn("bleu-2", self._table(out))
        self.assertIn("fd unavailable: ValueError: real_features needs more rows", err)
        self.assertNotIn("Traceback", err)

    def test_missing_models_are_reported_as_unavailable(self):
        # As in an installation without the encoders and language models.
        names = ["MiniLMEncoder", "lm_score", "train_language_model", "reverse_lm_score"]
        trimmed = {k: v for k, v in vars(tfrnnx.metrics).items() if k not in names}
        with mock.patch.dict(vars(tfrnnx.metrics), trimmed, clear=True):
            code, out, err = self._main(
                "--samples", self.samples, "--references", self.references,
                "--metrics", "bleu,fd,precision_recall,lm_score,reverse_lm",
            )
        self.assertEqual(1, code)
        table = self._table(out)
        for metric in ("fd", "precision_recall", "lm_score", "reverse_lm"):
            self.assertEqual("unavailable", table[metric])
        self.assertIn("fd unavailable: tfrnnx.metrics.MiniLMEncoder is not available", err)
        self.assertIn("reverse_lm unavailable: tfrnnx.metrics.reverse_lm_score is not", err)
        self.assertNotIn("Traceback", err)

    def test_bilstm_without_a_saved_encoder_is_unavailable(self):
        code, _, err = self._main(
            "--samples", self.samples, "--references", self.references,
            "--metrics", "fd", "--embedder", os.path.join(self.dir, "none.keras"),
        )
        self.assertEqual(1, code)
        self.assertIn("no saved BiLSTM encoder at", err)

    def test_lm_metrics_call_the_language_model_functions(self):
        calls = []

        def train_language_model(sentences, seed=0):
            calls.append(("train", list(sentences), seed))
            return "the-lm"

        def lm_score(samples, lm):
            calls.append(("score", list(samples), lm))
            return 12.5

        def reverse_lm_score(samples, heldout, seed=0):
            calls.append(("reverse", list(samples), list(heldout), seed))
            return 40.25

        with mock.patch.multiple(
            tfrnnx.metrics, train_language_model=train_language_model, lm_score=lm_score,
            reverse_lm_score=reverse_lm_score, create=True,
        ):
            code, out, err = self._main(
                "--samples", self.samples, "--references", self.references, "--train",
                self.train, "--metrics", "lm_score,reverse_lm", "--seed", "3",
            )
        self.assertEqual(0, code, err)
        self.assertEqual({"lm_score": "12.500000", "reverse_lm": "40.250000"}, self._table(out))
        self.assertEqual(
            [("train", TRAIN, 3), ("score", SAMPLES, "the-lm"),
             ("reverse", SAMPLES, REFERENCES, 3)],
            calls,
        )

    def test_bad_input_exits_2_with_one_line_on_stderr(self):
        empty = self._write("empty.txt", "\n  \n")
        latin1 = self._write("latin1.txt", "caf\xe9 au lait\n".encode("latin-1"), mode="wb")
        blank = self._write("blank.txt", "a b\n\nc d\n")
        fewer = self._write("fewer.txt", "\n".join(REFERENCES[:4]))
        missing = os.path.join(self.dir, "missing.txt")
        base = ["--references", self.references]
        cases = [
            (["--samples", empty, *base], "empty.txt: the file is empty"),
            (["--samples", latin1, *base], "latin1.txt: not UTF-8 text (byte 0xe9 on line 1)"),
            (["--samples", blank, *base], "blank.txt: line 2 blank"),
            (["--samples", missing, *base], "missing.txt: cannot read it"),
            (["--samples", self.samples, "--references", fewer, "--metrics", "fd"],
             "has 6 sentences, --references"),
            (["--samples", self.samples, *base, "--metrics", "bleu,rouge"],
             "unknown metric 'rouge'"),
            (["--samples", self.samples, *base, "--metrics", "memorization"], "needs --train"),
            (["--samples", self.samples, *base, "--bleu-orders", "2,x"],
             "Received: '2,x'"),
            (["--samples", self.samples, *base, "--k", "0"], "--k must be at least 1"),
            (["--samples", self.samples, *base, "--json", os.path.join(missing, "o.json")],
             "does not exist"),
        ]
        for argv, message in cases:
            code, out, err = self._main(*argv)
            self.assertEqual(2, code, argv)
            self.assertEqual("", out)
            self.assertEqual(1, len(err.splitlines()), err)
            self.assertIn(message, err)
            self.assertTrue(err.startswith("tfrnnx evaluate: error: "), err)

    def test_crlf_bom_and_missing_final_newline_are_accepted(self):
        crlf = self._write("crlf.txt", ("\ufeff" + "\r\n".join(SAMPLES)).encode(), mode="wb")
        code, out, err = self._main("--samples", crlf, "--references", self.references)
        self.assertEqual(0, code, err)
        expected = tfrnnx.metrics.bleu(REFERENCES, SAMPLES, max_order=2)
        self.assertEqual(f"{expected:.6f}", self._table(out)["bleu-2"])


if __name__ == "__main__":
    tf.test.main()
