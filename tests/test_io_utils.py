import json
import os
import stat
import tempfile

import tensorflow as tf

from tfrnnx import io_utils
from tfrnnx.io_utils import write_results
from tfrnnx.io_utils import write_text_atomically


class WriteTextAtomicallyTest(tf.test.TestCase):
    def test_writes_text_with_the_mode_of_a_plain_open(self):
        with tempfile.TemporaryDirectory() as tmp:
            reference, written = os.path.join(tmp, "reference.txt"), os.path.join(tmp, "sub", "out.txt")
            with open(reference, "w", encoding="utf-8") as file:
                file.write("x")
            write_text_atomically(written, "α\n")
            write_text_atomically(written, "β\n")  # replaces
            with open(written, encoding="utf-8") as file:
                self.assertEqual(file.read(), "β\n")
            mode = lambda path: stat.S_IMODE(os.stat(path).st_mode)  # noqa: E731
            self.assertEqual(mode(written), mode(reference))
            self.assertEqual(sorted(os.listdir(os.path.dirname(written))), ["out.txt"])  # no temporaries

    def test_mode_follows_the_umask_not_mkstemp(self):
        # With a 022 umask open() gives 0644 where mkstemp gives 0600.
        saved = io_utils._UMASK
        io_utils._UMASK = 0o022
        try:
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "out.txt")
                write_text_atomically(path, "x")
                self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o644)
        finally:
            io_utils._UMASK = saved


class WriteResultsTest(tf.test.TestCase):
    def test_page_and_json_twin_side_by_side(self):
        with tempfile.TemporaryDirectory() as tmp:
            page = os.path.join(tmp, "results", "name.md")
            write_results(page, "# page\n", {"command": "c", "rows": [{"a": 1}]})
            with open(page) as file:
                self.assertEqual(file.read(), "# page\n")
            with open(os.path.join(tmp, "results", "name.json")) as file:
                self.assertEqual(json.load(file), {"command": "c", "rows": [{"a": 1}]})


class WriteFigureAtomicallyTest(tf.test.TestCase):
    def test_png_written_and_no_temporary_left(self):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure, axis = plt.subplots(figsize=(1, 1))
        axis.plot([0, 1], [1, 0])
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "figures", "plot.png")
            io_utils.write_figure_atomically(figure, path, dpi=20)
            plt.close(figure)
            with open(path, "rb") as file:
                self.assertEqual(file.read(8), b"\x89PNG\r\n\x1a\n")  # the PNG signature
            self.assertEqual(os.listdir(os.path.dirname(path)), ["plot.png"])


class ScriptCommandTest(tf.test.TestCase):
    def test_a_shell_reads_back_the_script_and_its_arguments(self):
        import shlex

        script = os.path.join("/somewhere", "repo", "scripts", "experiment.py")
        command = io_utils.script_command(script, ["--out", "a b.md", "--seed", "3"])
        self.assertEqual(
            shlex.split(command), ["python", "scripts/experiment.py", "--out", "a b.md", "--seed", "3"]
        )
        self.assertEqual(io_utils.script_command(script, []), "python scripts/experiment.py")
