import gzip
import os
import tempfile

import tensorflow as tf

import tfrnnx
from data_dir import real_data_dir


class Conll2003Test(tf.test.TestCase):
    def test_reads_sentences_and_drops_docstart(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "conll2003"))
            with gzip.open(os.path.join(tmp, "conll2003", "eng.testa.gz"), "wt") as file:
                file.write("-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\n"
                           "Peter NNP I-NP I-PER\nBlackburn NNP I-NP I-PER\n")
            sentences, tags = tfrnnx.data.load_conll2003(tmp, "testa")
        self.assertEqual(sentences, [["EU", "rejects"], ["Peter", "Blackburn"]])
        self.assertEqual(tags, [["I-ORG", "O"], ["I-PER", "I-PER"]])

    def test_real_splits_have_the_published_sizes(self):
        data_dir = os.path.dirname(real_data_dir("conll2003"))
        counts = {}
        for split in tfrnnx.data.CONLL2003_SPLITS:
            sentences, tags = tfrnnx.data.load_conll2003(data_dir, split)
            self.assertEqual([len(s) for s in sentences], [len(t) for t in tags])
            self.assertNotIn("-DOCSTART-", {w for s in sentences for w in s})
            counts[split] = (len(sentences), sum(len(s) for s in sentences))
        # Tjong Kim Sang and De Meulder (2003), Table 2: tokens per split.
        self.assertEqual({k: v[1] for k, v in counts.items()},
                         {"train": 203621, "testa": 51362, "testb": 46435})
        self.assertEqual(counts["train"][0], 14041)
        _, tags = tfrnnx.data.load_conll2003(data_dir, "train")
        labels = {t for sentence in tags for t in sentence}
        self.assertIn("I-PER", labels)  # IOB1: entities start with I-
        self.assertLess(sum(t.startswith("B-") for s in tags for t in s), 100)

    def test_clear_errors(self):
        with self.assertRaisesRegex(ValueError, "split must be one of .* Received: split='dev'"):
            tfrnnx.data.load_conll2003("/nonexistent", "dev")
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaisesRegex(FileNotFoundError, "eng.testb.gz does not exist"):
                tfrnnx.data.load_conll2003(tmp, "testb")
