"""Smoke test of benchmarks/run_all.py --quick: every benchmark runs and reports its ratios."""

import json
import os
import tempfile

import tensorflow as tf

from script_loading import load_script


def _load():
    return load_script("run_all", folder="benchmarks")


class RunAllTest(tf.test.TestCase):
    def test_quick_mode_runs_every_benchmark_and_writes_page_and_twin(self):
        run_all = _load()
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "benchmarks.md")
            results = run_all.main(["--mode", "quick", "--out", out])
            with open(out) as file:
                page = file.read()
            with open(os.path.join(tmp, "benchmarks.json")) as file:
                twin = json.load(file)
        scripts = {r["script"] for r in results}
        expected = {"bench_recurrent_dropout.py", "bench_draw_glimpse.py", "bench_text_vae_speed.py",
                    "bench_attention_images_per_second.py", "bench_wgan_gp_text.py"}
        self.assertContainsSubset(expected, scripts)
        self.assertTrue(all(r["returncode"] == 0 for r in results))
        # Each benchmark printed ratios against its anchor.
        for result in results:
            self.assertRegex(result["output"], r"\d[\d,]*\.?\d*x", result["benchmark"])
        self.assertIn("vs Keras rd", page)
        self.assertIn("## Summary: RecurrentDropoutLSTM", page)
        self.assertNotIn(tempfile.gettempdir() + "/", page.split("## recurrent dropout")[1].split("```")[0])
        summary_rows = [r for r in twin["rows"][0]["rows"] if r["model"].startswith("tfrnnx update")]
        self.assertLen(summary_rows, 2)  # per-step and per-sequence
        self.assertGreater(summary_rows[0]["vs_keras_recurrent_dropout"], 0.0)
        self.assertEqual([r["benchmark"] for r in twin["rows"]], [r["benchmark"] for r in results])

    def test_gpu_mode_covers_the_issue_grid(self):
        with tempfile.TemporaryDirectory() as tmp:
            listed = _load().jobs("gpu", None, tmp)
        grid = {(a[a.index("--batch") + 1], a[a.index("--units") + 1], "--jit-compile" in a)
                for _, script, a in listed if script == "bench_recurrent_dropout.py"}
        self.assertEqual(grid, {(b, u, j) for b in ("32", "128") for u in ("256", "1024")
                                for j in (False, True)})
        self.assertIn("bench_draw_glimpse.py", [script for _, script, _ in listed])

    def test_quick_mode_refuses_to_overwrite_the_results_page(self):
        with self.assertRaises(SystemExit):
            _load().parse_args(["--mode", "quick"])
