"""Independent float64 numpy implementation of all-MiniLM-L6-v2 (BERT + mean pooling + L2 norm).

Reads the same `model.safetensors` as the Keras port but shares no code with it.
"""

import json
import math
import os

import numpy as np
from scipy.special import erf


def _layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def embed(model_dir, token_ids, attention_mask):
    """Unit-norm sentence embeddings (float64) of tokenized, 0-padded input."""
    from safetensors.numpy import load_file

    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    w = {
        k: v.astype("float64")
        for k, v in load_file(os.path.join(model_dir, "model.safetensors")).items()
    }
    eps, heads = cfg["layer_norm_eps"], cfg["num_attention_heads"]
    batch, time = token_ids.shape
    x = (
        w["embeddings.word_embeddings.weight"][token_ids]
        + w["embeddings.position_embeddings.weight"][:time][None]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    bias = np.where(attention_mask[:, None, None, :] > 0, 0.0, -np.inf)
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."

        def lin(h, name):
            return h @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        def split(h):
            return h.reshape(batch, time, heads, -1).transpose(0, 2, 1, 3)

        q, k, v = (split(lin(x, f"attention.self.{n}")) for n in ("query", "key", "value"))
        att = _softmax(q @ k.transpose(0, 1, 3, 2) / math.sqrt(q.shape[-1]) + bias)
        ctx = (att @ v).transpose(0, 2, 1, 3).reshape(batch, time, -1)
        x = _layer_norm(
            x + lin(ctx, "attention.output.dense"),
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
            eps,
        )
        inner = lin(x, "intermediate.dense")
        inner = 0.5 * inner * (1.0 + erf(inner / math.sqrt(2.0)))
        x = _layer_norm(
            x + lin(inner, "output.dense"),
            w[p + "output.LayerNorm.weight"],
            w[p + "output.LayerNorm.bias"],
            eps,
        )
    m = attention_mask[..., None].astype("float64")
    pooled = (x * m).sum(1) / m.sum(1)
    return pooled / np.linalg.norm(pooled, axis=-1, keepdims=True)
