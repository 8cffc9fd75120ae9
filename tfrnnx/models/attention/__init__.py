"""The deep recurrent attention model (thesis chapter 4)."""

from tfrnnx.models.attention.recurrent_attention_model import RecurrentAttentionModel
