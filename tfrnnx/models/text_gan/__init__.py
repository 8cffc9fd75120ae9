"""Text GANs: the continuous WGAN-GP and the discrete SeqGAN and LeakGAN (thesis §5.4)."""

from tfrnnx.models.text_gan.leak_gan import LeakGAN
from tfrnnx.models.text_gan.seq_gan import SeqGAN
from tfrnnx.models.text_gan.wgan_gp_text import WGANGPText
