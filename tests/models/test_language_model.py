import doctest
import json
import os
import tempfile

import keras
import numpy as np
import tensorflow as tf

import tfrnnx
from testing import ModelChecks
from tfrnnx.metrics import lm_scores
from tfrnnx.models import language_model
from tfrnnx.models.lm_sampling import sample_sentences

SENTENCES = ["the cat sat", "the dog sat down", "a cat ran"]


def small_lm(seed=0, **kwargs):
    vocab = tfrnnx.tokenizers.WordVocabulary.build(SENTENCES)
    return tfrnnx.models.LanguageModel(vocab, embedding_dim=6, units=5, seed=seed, **kwargs)


SP_SENTENCES = [
    f"{a} {n} {v} {p} the {o} ."
    for a in ("a", "the", "one", "some")
    for n in ("cat", "dog", "bird", "horse", "child")
    for v in ("sat", "ran", "slept", "jumped")
    for p, o in (("on", "mat"), ("under", "tree"), ("near", "house"))
]


def sentence_piece_vocab():
    return tfrnnx.tokenizers.SentencePieceVocabulary.build(SP_SENTENCES, vocab_size=30, seed=0)


def padded_ids(lm):
    return lm.vocabulary.pad(lm.vocabulary.encode(SENTENCES, add_bos_eos=True))


class LanguageModelTest(tf.test.TestCase, ModelChecks):
    def test_docstring_example(self):
        self.assertEqual(doctest.testmod(language_model).failed, 0)

    def test_output_shape_and_seed(self):
        lm = small_lm()
        ids = padded_ids(lm)
        logits = lm(ids)
        self.assertEqual(tuple(logits.shape), ids.shape + (len(lm.vocabulary),))
        self.assertAllClose(small_lm()(ids), logits)
        self.assertNotAllClose(small_lm(seed=1)(ids), logits)

    def test_loss_is_masked_next_token_nll(self):
        lm = small_lm()
        ids = padded_ids(lm)
        logits = np.asarray(lm(ids), "float64")
        probs = np.exp(logits - logits.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        nll = []
        for row in range(ids.shape[0]):
            for t in range(ids.shape[1] - 1):
                if ids[row, t + 1] != 0:
                    nll.append(-np.log(probs[row, t, ids[row, t + 1]]))
        loss = lm.compute_loss(x=ids, y_pred=lm(ids))
        self.assertAllClose(loss, np.mean(nll), atol=1e-5)

    def test_fit_lowers_loss_with_dropout(self):
        lm = small_lm(dropout=0.1, recurrent_dropout=0.2)
        ids = padded_ids(lm)
        lm.compile(optimizer=keras.optimizers.Adam(0.05))
        history = lm.fit(ids, batch_size=3, epochs=8, verbose=0).history["loss"]
        self.assertLess(history[-1], history[0])

    def test_keras_round_trip_identical_outputs(self):
        lm = small_lm(recurrent_dropout=0.25)
        ids = padded_ids(lm)
        expected = lm(ids)
        config = json.loads(json.dumps(lm.get_config()))
        self.assertEqual(tfrnnx.models.LanguageModel.from_config(config).get_config(), config)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "lm.keras")
            lm.save(path)
            reloaded = keras.saving.load_model(path)
        self.assertIsInstance(reloaded, tfrnnx.models.LanguageModel)
        self.assertEqual(reloaded.vocabulary.words, lm.vocabulary.words)
        self.assertAllClose(reloaded(ids), expected, atol=1e-6)

    def test_sentence_piece_vocabulary_round_trips(self):
        vocab = sentence_piece_vocab()
        lm = tfrnnx.models.LanguageModel(vocab, embedding_dim=6, units=5, seed=0)
        ids = vocab.pad(vocab.encode(SP_SENTENCES[:4], add_bos_eos=True))
        expected = lm(ids)
        self.assertEqual(tuple(expected.shape), ids.shape + (len(vocab),))
        config = json.loads(json.dumps(lm.get_config()))
        clone = tfrnnx.models.LanguageModel.from_config(config)
        self.assertIsInstance(clone.vocabulary, tfrnnx.tokenizers.SentencePieceVocabulary)
        self.assertEqual(clone.get_config(), config)
        # A plain (unserialized) vocabulary config is accepted too.
        plain = tfrnnx.models.LanguageModel(vocab.get_config(), embedding_dim=6, units=5)
        self.assertEqual(plain.vocabulary.model_proto, vocab.model_proto)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "lm.keras")
            lm.save(path)
            reloaded = keras.saving.load_model(path)
        self.assertIsInstance(reloaded.vocabulary, tfrnnx.tokenizers.SentencePieceVocabulary)
        self.assertEqual(reloaded.vocabulary.model_proto, vocab.model_proto)
        self.assertAllClose(reloaded(ids), expected, atol=1e-6)

    def test_sentence_piece_lm_scores_and_samples(self):
        vocab = sentence_piece_vocab()
        lm = lm_scores.train_language_model(
            SP_SENTENCES, vocabulary=vocab, embedding_dim=8, units=8, epochs=1, seed=0
        )
        self.assertIs(lm.vocabulary, vocab)
        score = tfrnnx.metrics.lm_score(SP_SENTENCES[:10], lm)
        self.assertTrue(1.0 <= score < len(vocab) * 2, score)
        samples = sample_sentences(lm, 4, max_length=6, seed=0)
        self.assertEqual(len(samples), 4)
        alphabet = set("".join(SP_SENTENCES))
        for sample in samples:  # decoded pieces: corpus characters, no special tokens
            self.assertLessEqual(set(sample), alphabet)
            self.assertNotIn("<", sample)
        self.assertEqual(samples, sample_sentences(lm, 4, max_length=6, seed=0))

    def test_old_config_with_plain_word_vocabulary_loads(self):
        lm = small_lm()
        config = lm.get_config()
        config["vocabulary"] = lm.vocabulary.get_config()  # layout before SentencePiece
        clone = tfrnnx.models.LanguageModel.from_config(json.loads(json.dumps(config)))
        self.assertIsInstance(clone.vocabulary, tfrnnx.tokenizers.WordVocabulary)
        self.assertEqual(clone.vocabulary.words, lm.vocabulary.words)
        ids = padded_ids(lm)
        self.assertAllClose(clone(ids), lm(ids))

    def test_export_serving_samples_framed_sentences(self):
        for lm in (small_lm(), tfrnnx.models.LanguageModel(sentence_piece_vocab(), 6, 5, seed=0)):
            vocab = lm.vocabulary
            lm(padded_ids(small_lm()) % len(vocab))
            path = os.path.join(self.get_temp_dir(), type(vocab).__name__)
            lm.export_serving(path, max_length=4)
            out = tf.saved_model.load(path).signatures["serving_default"](
                num_samples=tf.constant(16)
            )
            ids = out["token_ids"].numpy()
            self.assertEqual(ids.shape, (16, 6))
            for row, sentence in zip(ids.tolist(), out["sentences"].numpy()):
                self.assertEqual(row[0], vocab.bos_id)
                end = row.index(vocab.eos_id)  # every row ends, at max_length + 1 at the latest
                self.assertTrue(all(i > vocab.eos_id for i in row[1:end]))  # no special drawn
                self.assertTrue(all(i == vocab.pad_id for i in row[end + 1 :]))
                self.assertEqual(sentence.decode(), vocab.decode(row[1:end]))

    def test_sample_ids_follow_the_logits(self):
        # Reference: with zero weights and a bias favouring one word (and <unk> even more,
        # which is banned), every drawn token is that word until <eos> is forced.
        lm = small_lm()
        vocab = lm.vocabulary
        lm(padded_ids(lm))
        lm.logits.kernel.assign(np.zeros(lm.logits.kernel.shape, "float32"))
        bias = np.zeros(len(vocab), "float32")
        word = vocab.encode(["cat"])[0][0]
        bias[word], bias[vocab.unk_id] = 30.0, 60.0
        lm.logits.bias.assign(bias)
        ids = lm.sample_ids(3, max_length=5).numpy()
        self.assertAllEqual(ids, [[vocab.bos_id] + [word] * 5 + [vocab.eos_id]] * 3)

    def test_sample_ids_are_seeded(self):
        lm = small_lm()
        lm(padded_ids(lm))
        first = lm.sample_ids(32, max_length=6, seed=5).numpy()
        self.assertAllEqual(first, lm.sample_ids(32, max_length=6, seed=5))
        self.assertNotAllEqual(first, lm.sample_ids(32, max_length=6, seed=6))
        # Without a seed, the model's seed generator: each call draws new sentences.
        self.assertNotAllEqual(lm.sample_ids(32, max_length=6), lm.sample_ids(32, max_length=6))
        # Reference: with zero weights and biases 1 and 0 on two words (the rest -30), a
        # word is the first with probability softmax([1, 0] / temperature)[0].
        vocab = lm.vocabulary
        lm.logits.kernel.assign(np.zeros(lm.logits.kernel.shape, "float32"))
        bias = np.full(len(vocab), -30.0, "float32")
        first_word, second_word = vocab.encode(["cat dog"])[0]
        bias[first_word], bias[second_word] = 1.0, 0.0
        lm.logits.bias.assign(bias)
        for temperature in (1.0, 0.5, 0.01):
            words = lm.sample_ids(200, max_length=6, temperature=temperature, seed=2)[:, 1:7]
            expected = 1.0 / (1.0 + np.exp(-1.0 / temperature))
            self.assertAllClose(np.mean(words.numpy() == first_word), expected, atol=0.04)

    def test_bad_arguments(self):
        vocab = tfrnnx.tokenizers.WordVocabulary(["a"])
        with self.assertRaisesRegex(ValueError, "units=0"):
            tfrnnx.models.LanguageModel(vocab, units=0)
        with self.assertRaisesRegex(ValueError, "recurrent_dropout=1.5"):
            tfrnnx.models.LanguageModel(vocab, recurrent_dropout=1.5)
        with self.assertRaisesRegex(ValueError, "dropout='0.1'"):
            tfrnnx.models.LanguageModel(vocab, dropout="0.1")
        with self.assertRaisesRegex(ValueError, "vocabulary of type int"):
            tfrnnx.models.LanguageModel(3)
        # bool is an int to Python; it must not pass as a width.
        with self.assertRaisesRegex(ValueError, "embedding_dim must be a positive integer"):
            tfrnnx.models.LanguageModel(vocab, embedding_dim=True)
        with self.assertRaisesRegex(ValueError, "seed='1'"):
            tfrnnx.models.LanguageModel(vocab, seed="1")

    def test_model_checks(self):
        # The serving endpoint samples (checked in test_export_serving_samples_framed_sentences).
        lm = small_lm()
        ids = padded_ids(lm)
        lm(ids)
        self.run_model_checks(lm, ids)


if __name__ == "__main__":
    tf.test.main()
