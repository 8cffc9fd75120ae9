"""Load a script from ``scripts/`` by path, as a fresh module, so tests can call its functions."""

import importlib.util
import os

SCRIPTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts")


def load_script(name):
    """Execute ``scripts/<name>.py`` as a new module named ``<name>_script`` and return it."""
    path = os.path.join(SCRIPTS_DIR, f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"{name}_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
