import os
import subprocess
import sys

import tensorflow as tf

BIN = os.path.dirname(sys.executable)


class CommandTest(tf.test.TestCase):
    def test_the_command_prints_only_its_own_output(self):
        # TensorFlow writes its native start-up lines (oneDNN, CUDA stubs, CPU features) to
        # stderr on import on this machine; the command hides them.
        env = {k: val for k, val in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
        result = subprocess.run(
            [os.path.join(BIN, "tfrnnx"), "evaluate", "--help"],
            capture_output=True, text=True, env=env, timeout=120, check=True,
        )
        self.assertStartsWith(result.stdout, "usage: tfrnnx evaluate")
        self.assertEqual(result.stderr, "")

    def test_import_loads_only_the_core_dependencies(self):
        # The extras' packages (TensorFlow itself imports jax, scipy and matplotlib when
        # they are installed, so those say nothing about tfrnnx).
        code = (
            "import sys, tfrnnx; "
            "print(sorted(m for m in ('sentencepiece', 'keras_tuner', 'gensim', 'nltk', "
            "'seqeval', 'safetensors', 'tokenizers') if m in sys.modules))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
        )
        self.assertEqual(result.stdout.strip(), "[]")


if __name__ == "__main__":
    tf.test.main()
