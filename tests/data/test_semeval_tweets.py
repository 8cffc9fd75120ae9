import gzip
import os
import tempfile

import tensorflow as tf

import tfrnnx
from data_dir import real_data_dir


class SemevalTweetsTest(tf.test.TestCase):
    def test_clean_and_load_tiny_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "semeval_twitter"))
            lines = {
                "a-train.tsv.gz": "1\tpositive\t@bob loves www.x.com \\u2019yes\\u2019 &lt;3\n"
                                  "2\tnegative\tmeh   https://t.co/abc\n",
                "b-test.tsv.gz": "2\tnegative\tduplicate id\n3\tneutral\tok\t\n",
            }
            for name, text in lines.items():
                with gzip.open(os.path.join(tmp, "semeval_twitter", name), "wt") as f:
                    f.write(text)
            tweets = tfrnnx.data.load_semeval_tweets(tmp)
        self.assertEqual(tweets, [
            ("1", "positive", "@user loves <url> \u2019yes\u2019 <3"),
            ("2", "negative", "meh <url>"),
            ("3", "neutral", "ok"),
        ])
        ids, vocabulary = tfrnnx.data.tweets_to_char_ids([t for _, _, t in tweets], 8)
        self.assertEqual(ids.shape, (3, 8))
        self.assertEqual("".join(vocabulary[i] for i in ids[1]), "meh <url")
        self.assertEqual("".join(vocabulary[i] for i in ids[2]).rstrip("\x00"), "ok")
        with self.assertRaisesRegex(ValueError, "sequence_length"):
            tfrnnx.data.tweets_to_char_ids(["a"], 0)

    def test_semeval_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("semeval_twitter"))
        tweets = tfrnnx.data.load_semeval_tweets(data_dir)
        self.assertGreater(len(tweets), 50000)
        self.assertEqual(len({t[0] for t in tweets}), len(tweets))
        texts = [t[2] for t in tweets]
        self.assertFalse(any("http" in t or "\\u" in t or "&amp;" in t for t in texts))
        self.assertTrue(any("@user" in t for t in texts))
        self.assertLessEqual({t[1] for t in tweets}, {"positive", "negative", "neutral"})
