import json
import os
import subprocess
import sys
import tempfile
import textwrap

import numpy as np
import scipy.stats
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.plugins.hparams import plugin_data_pb2

from protocol_helpers import SPACE, CountingTrialFn, analytic_metrics, read_calls
from tfrnnx.protocol import RandomSearch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def run_script(code, env=None, timeout=240):
    """Runs `code` in a fresh Python process that can import tfrnnx and the test helpers."""
    env = {**os.environ, **(env or {}), "PYTHONPATH": os.pathsep.join([REPO, HERE]), "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True,
                          text=True, timeout=timeout)


class RandomSearchTest(tf.test.TestCase):
    def test_search_respects_the_space_and_finds_the_optimum(self):
        with tempfile.TemporaryDirectory() as directory:
            calls = os.path.join(directory, "calls.jsonl")
            search = RandomSearch(CountingTrialFn(calls), SPACE, directory, num_trials=60, seed=3)
            results = search.run()
            self.assertLen(results, 60)
            self.assertLen(read_calls(calls), 60)
            self.assertEqual([r["id"] for r in results], [r["id"] for r in search.results()])
            values = {name: [r["hparams"][name] for r in results] for name in SPACE}
            self.assertTrue(all(0.0 <= x <= 1.0 for x in values["x"]))
            self.assertTrue(all(1e-4 <= v <= 1e-1 for v in values["learning_rate"]))
            self.assertTrue(all(isinstance(v, int) and 2 <= v <= 9 for v in values["units"]))
            self.assertEqual(set(values["cell"]), {"lstm", "gru", "rhn"})
            self.assertEqual(set(values["epochs"]), {3})
            # log-uniform: log10(lr) is uniform on [-4, -1] (loose check, fixed seed).
            logs = np.log10(values["learning_rate"])
            self.assertGreater(scipy.stats.kstest(logs, scipy.stats.uniform(-4, 3).cdf).pvalue, 1e-3)
            self.assertGreater(scipy.stats.kstest(values["x"], "uniform").pvalue, 1e-3)
            # Every trial ran with the search seed; the best one is near x = 0.3.
            self.assertEqual({r["seed"] for r in results}, {3})
            best = search.best_hparams()
            self.assertAllClose(best["x"], 0.3, atol=0.05)
            self.assertEqual(best, min(results, key=lambda r: r["metrics"]["fd"])["hparams"])

    def test_each_trial_keeps_its_scores(self):
        with tempfile.TemporaryDirectory() as directory:
            search = RandomSearch(CountingTrialFn(os.path.join(directory, "c")), SPACE, directory, num_trials=4)
            search.run()
            for trial_id in ("0", "1", "2", "3"):
                self.assertEqual(search.run_dir(trial_id), os.path.join(directory, "trials", trial_id))
                with open(os.path.join(directory, "trials", trial_id, "scores.json")) as file:
                    record = json.load(file)
                self.assertEqual(set(record), {"id", "hparams", "seed", "metrics", "wall_s"})
                self.assertEqual(record["id"], trial_id)
                self.assertEqual(record["metrics"], analytic_metrics(record["hparams"], record["seed"]))
                self.assertGreaterEqual(record["wall_s"], 0.0)

    def test_max_direction_and_missing_objective(self):
        with tempfile.TemporaryDirectory() as directory:
            search = RandomSearch(lambda h, s, d: analytic_metrics(h, s), SPACE, directory,
                                  objective="bleu4", direction="max", num_trials=15)
            results = search.run()
            self.assertEqual(search.best_hparams()["x"], min(r["hparams"]["x"] for r in results))
        with tempfile.TemporaryDirectory() as directory:
            # A trial_fn without the objective: the trial fails, its error is kept, and
            # after max_consecutive_failed_trials the search stops with an error.
            search = RandomSearch(lambda h, s, d: {"bleu4": 1.0}, SPACE, directory, num_trials=5)
            with self.assertRaisesRegex(RuntimeError, "consecutive failures"):
                search.run()
            with open(os.path.join(directory, "trials", "0", "error.txt")) as file:
                self.assertIn("must return a dict of metrics holding the objective 'fd'", file.read())
            self.assertEqual(search.results(), [])

    def test_crashed_search_resumes_without_rerunning_finished_trials(self):
        with tempfile.TemporaryDirectory() as directory:
            calls = os.path.join(directory, "calls.jsonl")
            # Trials 0, 1, 2 finish, the process dies hard inside trial 3.
            crashed = run_script(f"""
                from protocol_helpers import SPACE, CountingTrialFn
                from tfrnnx.protocol import RandomSearch
                RandomSearch(CountingTrialFn({calls!r}, crash_at_call=4), SPACE, {directory!r},
                             num_trials=7, seed=5).run()
            """)
            self.assertEqual(crashed.returncode, 3, crashed.stderr[-3000:])
            self.assertEqual([c["run_dir"] for c in read_calls(calls)], ["0", "1", "2", "3"])
            self.assertFalse(os.path.exists(os.path.join(directory, "trials", "3", "scores.json")))
            search = RandomSearch(CountingTrialFn(calls), SPACE, directory, num_trials=7, seed=5)
            self.assertLen(search.results(), 3)
            results = search.run()
            made = read_calls(calls)
            # The interrupted trial 3 is rerun with the same hyperparameters, then 4, 5, 6.
            self.assertEqual([c["run_dir"] for c in made], ["0", "1", "2", "3", "3", "4", "5", "6"])
            self.assertEqual(made[3]["hparams"], made[4]["hparams"])
            self.assertEqual([r["id"] for r in results], [str(i) for i in range(7)])
            self.assertLen({json.dumps(r["hparams"], sort_keys=True) for r in results}, 7)
            # Nothing left to do: a further run() calls trial_fn no more.
            RandomSearch(CountingTrialFn(calls), SPACE, directory, num_trials=7, seed=5).run()
            self.assertLen(read_calls(calls), 8)
            # Raising num_trials extends the search; other settings are refused.
            self.assertLen(RandomSearch(CountingTrialFn(calls), SPACE, directory, num_trials=9, seed=5).run(), 9)
            with self.assertRaisesRegex(ValueError, "holds a search of other settings"):
                RandomSearch(CountingTrialFn(calls), SPACE, directory, num_trials=9, seed=6).run()

    def test_keyboard_interrupt_is_resumed_in_process(self):
        with tempfile.TemporaryDirectory() as directory:
            calls = []

            def interrupted(hparams, seed, run_dir):
                calls.append(os.path.basename(run_dir))
                if len(calls) == 2:
                    raise KeyboardInterrupt
                return analytic_metrics(hparams, seed)

            with self.assertRaises(KeyboardInterrupt):
                RandomSearch(interrupted, SPACE, directory, num_trials=4).run()
            self.assertLen(RandomSearch(interrupted, SPACE, directory, num_trials=4).run(), 4)
            self.assertEqual(calls, ["0", "1", "1", "2", "3"])

    def test_trials_are_on_the_hparams_dashboard(self):
        with tempfile.TemporaryDirectory() as directory:
            results = RandomSearch(lambda h, s, d: analytic_metrics(h, s), SPACE, directory, num_trials=3).run()
            root = event_accumulator.EventAccumulator(os.path.join(directory, "tensorboard")).Reload()
            experiment = plugin_data_pb2.HParamsPluginData.FromString(
                root.PluginTagToContent("hparams")["_hparams_/experiment"]).experiment
            self.assertEqual({h.name for h in experiment.hparam_infos}, {*SPACE, "seed"})
            self.assertEqual({m.name.tag for m in experiment.metric_infos}, {"fd", "bleu4", "units_seen"})
            for record in results:
                run = event_accumulator.EventAccumulator(
                    os.path.join(directory, "tensorboard", record["id"])).Reload()
                start = plugin_data_pb2.HParamsPluginData.FromString(
                    run.PluginTagToContent("hparams")["_hparams_/session_start_info"]).session_start_info
                self.assertEqual(start.group_name, record["id"])
                self.assertAllClose(start.hparams["x"].number_value, record["hparams"]["x"])
                self.assertEqual(start.hparams["cell"].string_value, record["hparams"]["cell"])
                self.assertEqual(start.hparams["seed"].number_value, record["seed"])
                fd = tf.make_ndarray(run.Tensors("fd")[0].tensor_proto)
                self.assertAllClose(fd, record["metrics"]["fd"])

    def test_bad_arguments(self):
        fn = lambda h, s, d: {"fd": 0.0}  # noqa: E731
        for kwargs, pattern in [({"direction": "down"}, "direction"), ({"num_trials": 0}, "num_trials"),
                                ({"seed": None}, "seed"), ({"trial_fn": 3}, "trial_fn")]:
            with self.subTest(**{k: str(v) for k, v in kwargs.items()}):
                with self.assertRaisesRegex(ValueError, f"{pattern} must .*Received: {pattern}="):
                    RandomSearch(**{"trial_fn": fn, "space": SPACE, "directory": "/tmp/x", **kwargs})
