"""Thesis Table 3.2: PTB word-level LM; `scripts/ptb_lm.py --level word` with the same flags."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ptb_lm import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["--level", "word"] + sys.argv[1:]))
