"""Thesis Fig. 5.10, scaled down: LSTM LMs of three sizes scored with FD and LM score while they train.

Each generator LM is trained on the Texygen COCO training captions (`image_coco.txt.gz`);
after every epoch it samples sentences (ancestral sampling, temperature 1), which are scored
against the COCO test captions (`test_coco.txt.gz`) with FD on MiniLM embeddings and with
the LM score of a separate evaluator LM trained once on the training captions. Writes a
markdown table and a PNG.

    python scripts/lm_training_curves.py --data-dir /work/shared/data
    python scripts/lm_training_curves.py --quick --out /tmp/curves.md   # smoke run
"""

import argparse
import gzip
import os
import platform
import time

import keras
import tensorflow as tf

from tfrnnx.experiments.text_metrics import CachedEmbedder
from tfrnnx.experiments.text_metrics import evaluate_samples
from tfrnnx.experiments.text_metrics import markdown_table
from tfrnnx.experiments.text_metrics import plot_metrics
from tfrnnx.io_utils import script_command
from tfrnnx.io_utils import write_text_atomically
from tfrnnx.metrics import MiniLMEncoder
from tfrnnx.metrics import train_language_model
from tfrnnx.models import LanguageModel
from tfrnnx.tokenizers import WordVocabulary
from tfrnnx.models.lm_sampling import sample_sentences


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("TFRNNX_DATA_DIR"))
    parser.add_argument("--out", default=os.path.join("docs", "results", "lm_training_curves.md"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--units", type=int, nargs="+", default=[32, 128, 256])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--num-train", type=int, default=10000, help="COCO training captions used")
    parser.add_argument("--num-references", type=int, default=2000)
    parser.add_argument("--num-samples", type=int, default=500)
    parser.add_argument("--max-words", type=int, default=None,
                        help="longest sampled sentence; default the longest training caption")
    parser.add_argument("--evaluator-units", type=int, default=128)
    parser.add_argument("--evaluator-epochs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="seconds-long smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        # FD needs more sentences than the 384 MiniLM dimensions.
        args.units, args.epochs, args.num_train = [8, 16], 1, 500
        args.num_references, args.num_samples = 400, 400
        args.evaluator_units, args.evaluator_epochs, args.max_words = 16, 1, 12
    if not args.data_dir:
        parser.error("--data-dir is required (or set TFRNNX_DATA_DIR)")
    return args


def read_lines(data_dir, name, limit):
    path = os.path.join(data_dir, "texygen", name)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Texygen file not found: {path} (data_dir={data_dir!r})")
    with gzip.open(path, "rt", encoding="utf-8") as file:
        lines = [" ".join(line.split()) for line in file if line.strip()]
    return lines[:limit]


def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    train = read_lines(args.data_dir, "image_coco.txt.gz", args.num_train)
    references = read_lines(args.data_dir, "test_coco.txt.gz", args.num_references)
    vocabulary = WordVocabulary.build(train)
    max_length = args.max_words or max(len(s.split()) for s in train)
    print(f"train {len(train)}, references {len(references)}, vocabulary {len(vocabulary)}",
          flush=True)  # fmt: skip

    evaluator_start = time.time()
    evaluator = train_language_model(
        train, vocabulary=vocabulary, embedding_dim=64, units=args.evaluator_units,
        epochs=args.evaluator_epochs, batch_size=64, learning_rate=1e-2, seed=args.seed + 1000,
    )  # fmt: skip
    evaluator_seconds = time.time() - evaluator_start
    embedder = CachedEmbedder(MiniLMEncoder())
    which = ("fd", "precision", "recall", "lm_score", "bleu4", "self_bleu4", "unique4")
    real = evaluate_samples(train[: args.num_samples], references, embedder, lm=evaluator, which=which)
    real_row = {"model": "real (COCO train captions)", "epoch": "–", **real}
    print("real", real_row, flush=True)

    ids = vocabulary.pad(vocabulary.encode(train, add_bos_eos=True))
    rows, seconds = [], {}
    for units in args.units:
        model_start = time.time()
        lm = LanguageModel(vocabulary, embedding_dim=64, units=units, seed=args.seed)
        lm.compile(optimizer=keras.optimizers.Adam(1e-2, clipnorm=5.0))
        dataset = (
            tf.data.Dataset.from_tensor_slices(ids)
            .shuffle(len(ids), seed=args.seed, reshuffle_each_iteration=True)
            .batch(64)
        )
        for epoch in range(1, args.epochs + 1):
            history = lm.fit(dataset, epochs=1, shuffle=False, verbose=0)
            samples = sample_sentences(lm, args.num_samples, max_length=max_length,
                                       seed=args.seed + epoch)  # fmt: skip
            # An empty sample (<eos> first) has no MiniLM tokens besides [CLS]/[SEP]; keep it.
            scores = evaluate_samples(samples, references, embedder, lm=evaluator, which=which)
            rows.append({
                "model": f"LSTM {units}", "units": units, "epoch": epoch,
                "train_ppl": float(2.718281828459045 ** history.history["loss"][-1]), **scores,
            })  # fmt: skip
            print(rows[-1], "example:", samples[0], flush=True)
        seconds[units] = time.time() - model_start

    results_dir = os.path.dirname(os.path.abspath(args.out))
    png = os.path.splitext(os.path.basename(args.out))[0] + ".png"
    plot_metrics(rows, "epoch", "epoch", os.path.join(results_dir, png),
                 "LSTM LMs on COCO captions: metrics of their samples during training",
                 series_key="model", log_metrics=("lm_score",), baseline=real)  # fmt: skip
    wall = time.time() - start
    command = script_command(__file__, argv)
    table_rows = rows + [real_row]
    text = "\n".join([
        "# LM training curves scored with FD and LM score (thesis Fig. 5.10, scaled down)",
        "",
        f"Command: `{command}` (seed {args.seed}{', **--quick smoke run**' if args.quick else ''}).",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores shared with other jobs, no GPU; "
        f"Python {platform.python_version()}. Wall time {wall:.0f} s (evaluator LM "
        f"{evaluator_seconds:.0f} s; per generator, training + evaluation: "
        + ", ".join(f"{u} units {s:.0f} s" for u, s in seconds.items()) + ").",
        "",
        f"Data: Texygen COCO captions: generators and evaluator trained on {len(train)} captions "
        f"of `image_coco.txt.gz` (vocabulary {len(vocabulary)} incl. 4 special tokens); "
        f"reference = {len(references)} captions of `test_coco.txt.gz`.",
        f"Generators: `LanguageModel` (embedding 64, LSTM of {', '.join(map(str, args.units))} units, "
        f"no dropout), Adam 1e-2, clipnorm 5, batch 64, {args.epochs} epoch(s); after every epoch "
        f"{args.num_samples} sentences are drawn by ancestral sampling (temperature 1, at most "
        f"{max_length} words). Evaluator for the LM score: embedding 64, {args.evaluator_units} "
        f"units, {args.evaluator_epochs} epoch(s) on the same training captions. FD on MiniLM "
        f"embeddings of the samples vs the references; BLEU-4 against the references, "
        f"self-BLEU-4 and unique 4-grams on the samples. `train ppl` = exp(last training "
        f"loss) of the epoch. The last row scores {args.num_samples} real training captions "
        f"the same way (what a perfect generator would get at this sample size).",
        "",
        markdown_table(table_rows, [("model", "model"), ("epoch", "epoch"), ("train_ppl", "train ppl")]),
        "",
        f"![FD and LM score during training]({png})",
        "",
    ])
    write_text_atomically(args.out, text)
    print(f"wrote {args.out} ({wall:.0f} s)", flush=True)
    return rows


if __name__ == "__main__":
    main()
