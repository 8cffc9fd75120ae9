"""Load a script from ``scripts/`` (or ``benchmarks/``) by path, as a fresh module, so tests can
call its functions."""

import importlib.util
import os

REPOSITORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def load_script(name, folder="scripts"):
    """Execute ``<folder>/<name>.py`` as a new module named ``<name>_script`` and return it."""
    path = os.path.join(REPOSITORY, folder, f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"{name}_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
