"""Data generators and loaders of tfrnnx."""

from tfrnnx.data.cluttered_mnist import PAIR_CLASSES
from tfrnnx.data.cluttered_mnist import TERMINAL_CLASS
from tfrnnx.data.cluttered_mnist import cluttered_mnist
from tfrnnx.data.cluttered_mnist import multi_digit_mnist
from tfrnnx.data.cluttered_mnist import pair_class
from tfrnnx.data.mnist import load_mnist
from tfrnnx.data.mnist import read_idx
from tfrnnx.data.brown import load_brown
from tfrnnx.data.conll2003 import CONLL2003_SPLITS
from tfrnnx.data.conll2003 import load_conll2003
from tfrnnx.data.char_fragments import char_fragments
from tfrnnx.data.char_fragments import char_vocabulary
from tfrnnx.data.char_fragments import load_ptb_char_fragments
from tfrnnx.data.char_fragments import read_ptb_text
from tfrnnx.data.semeval_sentiment import SEMEVAL_SENTIMENT_FILES
from tfrnnx.data.semeval_sentiment import SENTIMENT_LABELS
from tfrnnx.data.semeval_sentiment import load_semeval_sentiment
from tfrnnx.data.semeval_tweets import clean_tweet
from tfrnnx.data.semeval_tweets import load_semeval_tweets
from tfrnnx.data.semeval_tweets import tweets_to_char_ids
from tfrnnx.data.snli_sentences import load_snli_sentences
from tfrnnx.data.texygen_coco import load_coco_captions
from tfrnnx.data.toy_sentences import toy_sentences
from tfrnnx.data.cluttered_shapes import cluttered_shapes
