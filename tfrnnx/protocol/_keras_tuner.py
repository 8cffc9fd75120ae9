"""keras-tuner, which the protocol needs and the core install does not include."""

try:
    import keras_tuner
except ImportError as error:  # pragma: no cover - depends on the install
    raise ImportError(
        "tfrnnx.protocol needs keras-tuner, an extra: pip install 'tfrnnx[protocol]'"
    ) from error

__all__ = ["keras_tuner"]
