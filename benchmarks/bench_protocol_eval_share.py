"""Share of a protocol trial spent in evaluation (issue 5 target: under 10%).

Runs one trial of each chosen model exactly as `scripts/text_gan_protocol.py` does (SNLI,
4k SentencePiece vocabulary, the model's default hyperparameters, `--steps` training steps
(`--wgan-steps` generator steps for WGAN-GP),
`--num-samples` samples scored with the full metric suite) and prints the training and
evaluation seconds and the evaluation share. The anchor is the trial's own training time
measured in the same run. The MiniLM embeddings of the references are computed once before
the timed trials (a search embeds them once too).

    python benchmarks/bench_protocol_eval_share.py --data-dir /work/shared/data
"""

import argparse
import os
import tempfile
import time

from tfrnnx.data.snli_sentences import load_snli_sentences
from tfrnnx.experiments import text_gans
from tfrnnx.experiments.text_metrics import CachedEmbedder
from tfrnnx.metrics import MiniLMEncoder
from tfrnnx.metrics import train_language_model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("TFRNNX_DATA_DIR"))
    parser.add_argument("--models", nargs="+", default=["lm", "conv_deconv", "seqgan_reinforce"],
                        choices=text_gans.MODELS)  # fmt: skip
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--wgan-steps", type=int, default=200, help="generator steps of WGAN-GP")
    parser.add_argument("--num-samples", type=int, default=1000)
    parser.add_argument("--lm-epochs", type=int, default=1, help="LM-score LM (not timed)")
    args = parser.parse_args(argv)
    if not args.data_dir:
        parser.error("--data-dir is required (or set TFRNNX_DATA_DIR)")
    corpus = text_gans.prepare_corpus(load_snli_sentences(args.data_dir, split="devtest"))
    scoring_lm = train_language_model(corpus.train, vocabulary=corpus.vocabulary,
                                      epochs=args.lm_epochs, batch_size=64, seed=0)  # fmt: skip
    embedder = CachedEmbedder(MiniLMEncoder())
    embedder.embed(corpus.references)
    evaluate = text_gans.build_evaluator(corpus, scoring_lm, embedder)
    print(f"{'model':<18} {'train s':>8} {'eval s':>7} {'eval share':>10}")
    for model in args.models:
        steps = args.wgan_steps if model in ("conv_deconv", "conv_lstm") else args.steps
        trial_fn = text_gans.make_trial_fn(model, corpus, evaluate, steps, args.num_samples)
        hparams = {}  # every adapter falls back to its defaults
        with tempfile.TemporaryDirectory() as run_dir:
            start = time.time()
            scores = trial_fn(hparams, 0, run_dir)
            wall = time.time() - start
        share = scores["eval_s"] / wall
        print(f"{model:<18} {scores['train_s']:>8.1f} {scores['eval_s']:>7.1f} {share:>9.1%}",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
