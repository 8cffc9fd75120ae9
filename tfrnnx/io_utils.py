"""Small file helpers: results are written atomically, so a crash never leaves half a file."""

import json
import os
import shlex
import sys
import tempfile


def _read_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once at import: changing the umask later, even briefly, races with other threads
# that create files (TensorBoard writers, gRPC).
_UMASK = _read_umask()


def write_text_atomically(path, text):
    """Writes ``text`` to ``path`` through a temporary file in the same directory."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        # mkstemp makes the file private (0600); give it the mode open() would have.
        os.chmod(temporary, 0o666 & ~_UMASK)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_results(page_path, page, twin):
    """Writes a results page and its JSON twin (`<page without .md>.json`), each atomically."""
    write_text_atomically(page_path, page)
    write_text_atomically(os.path.splitext(page_path)[0] + ".json", json.dumps(twin, indent=1) + "\n")


def write_figure_atomically(figure, path, dpi=110):
    """Saves a matplotlib ``figure`` as a PNG at ``path`` through a temporary file."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".png", dir=directory)
    os.close(handle)
    try:
        figure.savefig(temporary, dpi=dpi)
        os.chmod(temporary, 0o666 & ~_UMASK)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def script_command(script_file, argv=None):
    """The command that reruns a script: `python <its path from the repository root> <args>`.

    `script_file` is the script's `__file__` (a file in `scripts/` or `benchmarks/`);
    `argv` its arguments (default `sys.argv[1:]`), quoted for a shell.
    """
    path = os.path.abspath(script_file)
    relative = os.path.relpath(path, os.path.dirname(os.path.dirname(path)))
    arguments = sys.argv[1:] if argv is None else list(argv)
    return f"python {relative} {shlex.join(arguments)}".rstrip()
