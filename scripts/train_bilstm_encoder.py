"""Trains tfrnnx.metrics.BiLSTMMaxEncoder (InferSent BiLSTM-max) on SNLI pairs.

Only SNLI dev and test are staged (`$TFRNNX_DATA_DIR/snli_devtest/`, see
shared/data/SOURCES.md): the model trains on dev and reports accuracy on test.

    python scripts/train_bilstm_encoder.py --out bilstm_max_encoder.keras
    python scripts/train_bilstm_encoder.py --quick --out /tmp/smoke.keras   # seconds
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tfrnnx.models.encoders import nli_training  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("TFRNNX_DATA_DIR"),
        help="data root holding snli_devtest/ (default: $TFRNNX_DATA_DIR)",
    )
    parser.add_argument(
        "--out", default="bilstm_max_encoder.keras", help="saved model path (.keras)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="seconds-long smoke run (tiny model, 256 pairs)"
    )
    parser.add_argument("--train-split", default="dev")
    parser.add_argument("--eval-split", default="test")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--embedding-dim", type=int, default=128)
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--mlp-units", type=int, default=512)
    parser.add_argument("--mlp-activation", default=None)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--vocabulary-size", type=int, default=20000)
    parser.add_argument(
        "--limit", type=int, default=None, help="use only the first N pairs of each split"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2)
    args = parser.parse_args(argv)
    if args.data_dir is None:
        parser.error("--data-dir is required when $TFRNNX_DATA_DIR is not set")
    if args.quick:
        args.epochs, args.embedding_dim, args.units, args.mlp_units = 1, 16, 16, 16
        args.limit = min(args.limit or 256, 256)
    return args


def main(argv=None):
    args = parse_args(argv)
    snli = os.path.join(args.data_dir, "snli_devtest")
    start = time.time()
    train = nli_training.load_snli_pairs(snli, args.train_split, limit=args.limit)
    held_out = nli_training.load_snli_pairs(snli, args.eval_split, limit=args.limit)
    encoder, history = nli_training.train_bilstm_max_encoder(
        *train,
        vocabulary_size=args.vocabulary_size,
        embedding_dim=args.embedding_dim,
        units=args.units,
        mlp_units=args.mlp_units,
        mlp_activation=args.mlp_activation,
        dropout=args.dropout,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        seed=args.seed,
        verbose=args.verbose,
    )
    train_seconds = time.time() - start
    result = {
        "train_split": args.train_split,
        "eval_split": args.eval_split,
        "train_pairs": len(train[2]),
        "eval_pairs": len(held_out[2]),
        "vocabulary": len(encoder.vocabulary),
        "train_accuracy": nli_training.nli_accuracy(encoder, *train),
        "eval_accuracy": nli_training.nli_accuracy(encoder, *held_out),
        "final_loss": history["loss"][-1],
        "train_seconds": round(train_seconds, 1),
        "total_seconds": None,
        "out": args.out,
    }
    encoder.save(args.out)
    result["total_seconds"] = round(time.time() - start, 1)
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
