import collections
import gzip
import os
import tempfile

import tensorflow as tf

import tfrnnx
from data_dir import real_data_dir


class SemevalSentimentTest(tf.test.TestCase):
    def test_reads_labels_and_cleans_text(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "semeval_twitter"))
            with gzip.open(os.path.join(tmp, "semeval_twitter", "twitter-2013dev-A.tsv.gz"), "wt") as f:
                f.write("1\tpositive\t@bob great\\u002c thanks\n2\tneutral\tok www.x.com\n")
            texts, labels = tfrnnx.data.load_semeval_sentiment(tmp, "dev")
        self.assertEqual(texts, ["@user great, thanks", "ok <url>"])
        self.assertEqual(labels, ["positive", "neutral"])

    def test_real_splits_have_the_staged_counts(self):
        data_dir = os.path.dirname(real_data_dir("semeval_twitter"))
        # SOURCES.md: 2013train 9,684 (3640/1458/4586); test sets 3,547 / 1,853 / 2,390 / 86.
        _, labels = tfrnnx.data.load_semeval_sentiment(data_dir, "train")
        self.assertEqual(collections.Counter(labels),
                         {"positive": 3640, "negative": 1458, "neutral": 4586})
        sizes = {s: len(tfrnnx.data.load_semeval_sentiment(data_dir, s)[0])
                 for s in ("twitter13", "twitter14", "twitter15", "sarcasm14")}
        self.assertEqual(sizes, {"twitter13": 3547, "twitter14": 1853, "twitter15": 2390, "sarcasm14": 86})

    def test_clear_errors(self):
        with self.assertRaisesRegex(ValueError, "split must be one of .* Received: split='sms13'"):
            tfrnnx.data.load_semeval_sentiment("/nonexistent", "sms13")
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaisesRegex(FileNotFoundError, "twitter-2014test-A.tsv.gz does not exist"):
                tfrnnx.data.load_semeval_sentiment(tmp, "twitter14")
            os.makedirs(os.path.join(tmp, "semeval_twitter"))
            with gzip.open(os.path.join(tmp, "semeval_twitter", "twitter-2013dev-A.tsv.gz"), "wt") as f:
                f.write("1\tgreat\ttext\n")
            with self.assertRaisesRegex(ValueError, "with a label in"):
                tfrnnx.data.load_semeval_sentiment(tmp, "dev")
