"""The ``tfrnnx`` command: ``tfrnnx demo``, ``tfrnnx evaluate``, ..."""

import argparse
import importlib
import sys

# Subcommand name -> (module with ``add_arguments(parser)`` and ``run(args) -> int``, help).
SUBCOMMANDS = {
    "demo": ("tfrnnx.demo", "train, export and serve the demo models on generated data"),
    "evaluate": ("tfrnnx.evaluate", "score generated text against references"),
}


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="tfrnnx", description="tfrnnx: recurrent networks for Keras 3."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    modules = {}
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        modules[name] = importlib.import_module(module_name)
        modules[name].add_arguments(subparsers.add_parser(name, help=help_text))
    args = parser.parse_args(argv)
    return modules[args.command].run(args)


if __name__ == "__main__":
    sys.exit(main())
