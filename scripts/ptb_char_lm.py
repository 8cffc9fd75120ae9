"""Thesis Table 3.3: PTB char-level LM; `scripts/ptb_lm.py --level char` with the same flags."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ptb_lm import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["--level", "char"] + sys.argv[1:]))
