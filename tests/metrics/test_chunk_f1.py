import numpy as np
import seqeval.metrics
import tensorflow as tf
from absl.testing import parameterized

import tfrnnx
from data_dir import real_data_dir

chunk_f1 = tfrnnx.metrics.chunk_f1
TYPES = ("PER", "LOC", "ORG", "MISC")


def seqeval_scores(truth, guess):
    """The reference: seqeval's default (conlleval-compatible) mode."""
    return {"precision": seqeval.metrics.precision_score(truth, guess),
            "recall": seqeval.metrics.recall_score(truth, guess),
            "f1": seqeval.metrics.f1_score(truth, guess)}


def random_tags(rng, length, scheme):
    tags, previous = [], "O"
    for _ in range(length):
        if rng.random() < 0.5:
            tag = "O"
        else:
            kind = TYPES[rng.integers(len(TYPES))]
            if scheme == "iob2":
                prefix = "I" if previous.endswith(kind) and rng.random() < 0.6 else "B"
            else:  # IOB1: B only where a chunk touches one of its own type; here also at random
                prefix = "B" if previous.endswith(kind) and rng.random() < 0.3 else "I"
            tag = f"{prefix}-{kind}"
        tags.append(tag)
        previous = tag
    return tags


def corrupt(rng, sentences, rate):
    out = []
    for tags in sentences:
        out.append([t if rng.random() >= rate else
                    ["O", "B-PER", "I-PER", "I-LOC", "B-ORG", "I-MISC"][rng.integers(6)] for t in tags])
    return out


class ChunkF1Test(tf.test.TestCase, parameterized.TestCase):
    def test_hand_counted_iob1(self):
        # True chunks: PER(0-1), LOC(3), LOC(4) (B- splits two touching LOCs), ORG(6).
        truth = [["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "O", "I-ORG"]]
        # Predicted: PER(0-1) right, LOC(3-4) merged (wrong), ORG(6) right.
        guess = [["I-PER", "I-PER", "O", "I-LOC", "I-LOC", "O", "I-ORG"]]
        scores = chunk_f1(truth, guess)
        self.assertAllClose([scores["precision"], scores["recall"]], [2 / 3, 2 / 4])
        self.assertAllClose(scores["f1"], 2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))

    def test_hand_counted_iob2_and_type_changes(self):
        # I-X after O starts a chunk; a type change inside a run splits it.
        truth = [["B-PER", "I-PER", "I-LOC", "O", "I-ORG", "I-ORG"]]
        guess = [["B-PER", "I-PER", "B-LOC", "O", "B-ORG", "I-ORG"]]
        self.assertEqual(chunk_f1(truth, guess), {"precision": 1.0, "recall": 1.0, "f1": 1.0})

    def test_chunks_end_with_the_sentence(self):
        # Without the boundary, the last PER and the first PER would make one chunk.
        truth = [["O", "I-PER"], ["I-PER", "O"]]
        guess = [["O", "I-PER"], ["B-PER", "O"]]
        self.assertEqual(chunk_f1(truth, guess)["f1"], 1.0)

    def test_no_chunks_gives_zeros(self):
        self.assertEqual(chunk_f1([["O", "O"]], [["O", "O"]]),
                         {"precision": 0.0, "recall": 0.0, "f1": 0.0})

    @parameterized.parameters("iob1", "iob2")
    def test_equals_seqeval_on_random_tags(self, scheme):
        rng = np.random.default_rng(0 if scheme == "iob1" else 1)
        truth = [random_tags(rng, int(rng.integers(1, 20)), scheme) for _ in range(300)]
        guess = corrupt(rng, truth, 0.2)
        ours, reference = chunk_f1(truth, guess), seqeval_scores(truth, guess)
        for key in ours:
            self.assertAllClose(ours[key], reference[key], atol=1e-12, msg=key)
        self.assertBetween(ours["f1"], 0.3, 0.95)  # the case is not trivial

    def test_equals_seqeval_on_real_conll2003_tags(self):
        data_dir = real_data_dir("conll2003")
        _, tags = tfrnnx.data.load_conll2003(data_dir[: -len("/conll2003")], "testa")
        guess = corrupt(np.random.default_rng(2), tags, 0.05)
        ours, reference = chunk_f1(tags, guess), seqeval_scores(tags, guess)
        for key in ours:
            self.assertAllClose(ours[key], reference[key], atol=1e-12, msg=key)
        self.assertEqual(chunk_f1(tags, tags)["f1"], 1.0)

    def test_length_mismatch_names_the_sentence(self):
        with self.assertRaisesRegex(ValueError, "sentence 1 has 2 true tags and 1 predicted"):
            chunk_f1([["O"], ["O", "O"]], [["O"], ["O"]])
        with self.assertRaisesRegex(ValueError, "same number of sentences"):
            chunk_f1([["O"]], [])
        with self.assertRaisesRegex(ValueError, "not one string"):
            chunk_f1(["O"], ["O"])
