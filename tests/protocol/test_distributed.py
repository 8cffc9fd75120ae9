import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import unittest

import tensorflow as tf

from protocol_helpers import SPACE, CountingTrialFn, read_calls
from tfrnnx.protocol import RandomSearch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

try:
    import grpc  # noqa: F401

    GRPC_ERROR = None
except ImportError as error:  # pragma: no cover
    GRPC_ERROR = f"grpcio is not installed ({error}): KerasTuner's distributed mode needs it"

SCRIPT = """
from protocol_helpers import SPACE, CountingTrialFn
from tfrnnx.protocol import RandomSearch
RandomSearch(CountingTrialFn({calls!r}), SPACE, {directory!r}, num_trials=4, seed=1).run()
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@unittest.skipIf(GRPC_ERROR is not None, GRPC_ERROR or "")
class DistributedSearchTest(tf.test.TestCase):
    def test_chief_serves_trials_to_two_workers(self):
        with tempfile.TemporaryDirectory() as directory:
            calls = os.path.join(directory, "calls.jsonl")
            code = textwrap.dedent(SCRIPT.format(calls=calls, directory=directory))
            base = {**os.environ, "PYTHONPATH": os.pathsep.join([REPO, HERE]), "TF_CPP_MIN_LOG_LEVEL": "3",
                    "KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": str(free_port())}
            processes = [
                subprocess.Popen([sys.executable, "-c", code], env={**base, "KERASTUNER_TUNER_ID": tuner_id},
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                for tuner_id in ("chief", "tuner0", "tuner1")
            ]
            try:
                outputs = [p.communicate(timeout=300)[0] for p in processes]
            finally:
                for p in processes:
                    if p.poll() is None:
                        p.kill()
            for p, output in zip(processes, outputs):
                self.assertEqual(p.returncode, 0, output[-3000:])
            made = read_calls(calls)
            self.assertEqual(sorted(c["run_dir"] for c in made), ["0", "1", "2", "3"])  # each trial once
            self.assertEqual({c["tuner"] for c in made} - {"tuner0", "tuner1"}, set())  # chief only serves
            # The search is complete: resuming it locally (no distributed variables) runs nothing.
            results = RandomSearch(CountingTrialFn(calls), SPACE, directory, num_trials=4, seed=1).run()
            self.assertLen(read_calls(calls), 4)
            self.assertEqual([r["id"] for r in results], ["0", "1", "2", "3"])
            self.assertEqual([r["hparams"] for r in results],
                             [next(c["hparams"] for c in made if c["run_dir"] == r["id"]) for r in results])

    def test_worker_started_after_the_search_ended_returns_its_results(self):
        # Under load a worker can start (or ask again) after the chief has served every trial
        # and shut down; it must not wait an hour for the chief nor fail.
        with tempfile.TemporaryDirectory() as directory:
            calls = os.path.join(directory, "calls.jsonl")
            RandomSearch(CountingTrialFn(calls), SPACE, directory, num_trials=4, seed=1).run()
            code = textwrap.dedent(SCRIPT.format(calls=calls, directory=directory))
            env = {**os.environ, "PYTHONPATH": os.pathsep.join([REPO, HERE]), "TF_CPP_MIN_LOG_LEVEL": "3",
                   "KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": str(free_port()),
                   "KERASTUNER_TUNER_ID": "tuner1"}
            process = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True)
            try:
                output = process.communicate(timeout=120)[0]
            finally:
                if process.poll() is None:
                    process.kill()
            self.assertEqual(process.returncode, 0, output[-3000:])
            self.assertLen(read_calls(calls), 4)  # the late worker ran nothing

    def test_failed_trials_count_as_ended_for_a_late_worker(self):
        with tempfile.TemporaryDirectory() as directory:
            search = RandomSearch(CountingTrialFn(os.path.join(directory, "calls.jsonl")), SPACE,
                                  directory, num_trials=2, seed=1)
            self.assertFalse(search._search_complete())
            for trial, name in (("0", "scores.json"), ("1", "error.txt")):
                os.makedirs(os.path.join(directory, "trials", trial))
                self.assertFalse(search._search_complete())
                with open(os.path.join(directory, "trials", trial, name), "w") as file:
                    file.write("{}")
            self.assertTrue(search._search_complete())
