"""SentencePieceVocabulary against the `sentencepiece` library's own processor."""

import doctest
import json
import os
import random
import time

import keras
import sentencepiece
import tensorflow as tf

import tfrnnx
from data_dir import real_data_dir
from tfrnnx.tokenizers import sentence_piece_vocabulary

SpVocab = tfrnnx.tokenizers.SentencePieceVocabulary
WORDS = (
    "the a cat dog sat ran on mat big small red house quickly slowly green yellow bird fish "
    "tree river walked jumped under over beside garden kitchen window happy sleepy ."
).split()


def corpus(n=200, seed=0):
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))) for _ in range(n)]


class SentencePieceVocabularyTest(tf.test.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sentences = corpus()
        cls.vocab = SpVocab.build(cls.sentences, vocab_size=50, seed=0)
        # Independent reference: the library's processor loaded from the same bytes.
        cls.reference = sentencepiece.SentencePieceProcessor(model_proto=cls.vocab.model_proto)

    def test_docstring_example(self):
        self.assertEqual(doctest.testmod(sentence_piece_vocabulary).failed, 0)

    def test_special_ids_and_size(self):
        vocab = self.vocab
        self.assertEqual(len(vocab), 50)
        self.assertEqual((vocab.pad_id, vocab.unk_id, vocab.bos_id, vocab.eos_id), (0, 1, 2, 3))
        self.assertEqual(vocab.special_tokens, tfrnnx.tokenizers.WordVocabulary.special_tokens)
        pieces = [self.reference.id_to_piece(i) for i in range(4)]
        self.assertEqual(pieces, ["<pad>", "<unk>", "<bos>", "<eos>"])
        self.assertTrue(self.reference.is_unknown(1))
        self.assertTrue(all(self.reference.is_control(i) for i in (0, 2, 3)))
        # No ordinary piece gets a special id.
        ids = [i for s in vocab.encode(self.sentences) for i in s]
        self.assertGreaterEqual(min(ids), 4)

    def test_encode_decode_round_trip_against_library(self):
        vocab, reference = self.vocab, self.reference
        heldout = corpus(20, seed=1) + ["Zebra sat quickly."]
        encoded = vocab.encode(heldout)
        self.assertEqual(encoded, [reference.encode(s) for s in heldout])
        for sentence, ids in zip(heldout[:20], encoded):
            self.assertEqual(vocab.decode(ids), sentence)  # in-vocabulary text comes back
        self.assertEqual(vocab.tokenize(heldout[0]), reference.encode(heldout[0], out_type=str))
        framed = vocab.encode(heldout, add_bos_eos=True)
        for ids, plain in zip(framed, encoded):
            self.assertEqual(ids, [2, *plain, 3])
            self.assertEqual(vocab.decode(ids + [0, 0]), reference.decode(plain))
        self.assertIn(1, encoded[-1])  # "Z" was never seen: <unk>
        self.assertEqual(vocab.decode(encoded[-1]), reference.decode(encoded[-1]))
        short = vocab.encode(heldout[:1], add_bos_eos=True, max_length=2)[0]
        self.assertEqual(short, [2, *encoded[0][:2], 3])

    def test_decode_cuts_nothing_but_specials(self):
        ids = self.vocab.encode(["the cat sat", "a dog ran"])
        joined = [2, *ids[0], 3, *ids[1], 0]
        self.assertEqual(self.vocab.decode(joined), self.reference.decode(ids[0] + ids[1]))
        with self.assertRaisesRegex(ValueError, "ids containing 50"):
            self.vocab.decode([4, 50])

    def test_detokenize_in_graph_matches_decode_cut_at_eos(self):
        vocab = self.vocab
        a, b = vocab.encode(["the big cat sat on a mat", "a dog ran"])
        rows = [[2, *a, 3, *b], [*b, 1, 3], [3, *a], [2, *b], [0] * 3]
        padded = vocab.pad(rows)
        expected = [vocab.decode(r[: r.index(3)] if 3 in r else r) for r in rows]
        graph_fn = tf.function(vocab.detokenize)
        got = [s.decode() for s in graph_fn(tf.constant(padded)).numpy()]
        self.assertEqual(got, expected)
        self.assertEqual(got[0], "the big cat sat on a mat")
        self.assertEqual(got[2:], ["", "a dog ran", ""])
        eager = [s.decode() for s in vocab.detokenize(padded).numpy()]
        self.assertEqual(eager, expected)

    def test_exported_generators_detokenize_with_sentencepiece(self):
        # The SentencePiece resource must travel into the SavedModel of every text generator.
        vocab = self.vocab
        processor = sentencepiece.SentencePieceProcessor(model_proto=vocab.model_proto)
        models = [
            tfrnnx.models.WGANGPText(len(vocab), 8, vocabulary=vocab, latent_dim=4, units=8,
                                     generator_filters=8, critic_filters=8, seed=0),
            tfrnnx.models.SeqGAN(len(vocab), 8, vocabulary=vocab, embedding_dim=4, units=8,
                                 discriminator_units=4, seed=0),
        ]
        for model in models:
            path = os.path.join(self.get_temp_dir(), type(model).__name__)
            model.export_serving(path)
            out = tf.saved_model.load(path).signatures["serving_default"](
                num_samples=tf.constant(3)
            )
            for row, sentence in zip(out["token_ids"].numpy().tolist(), out["sentences"].numpy()):
                row = row[: row.index(3)] if 3 in row else row
                expected = processor.decode([i for i in row if i not in (0, 2)])
                self.assertEqual(sentence.decode(), expected)

    def test_pad(self):
        self.assertAllEqual(self.vocab.pad([[5], [5, 6, 7]], length=2), [[5, 0], [5, 6]])

    def test_config_json_round_trip(self):
        config = json.loads(json.dumps(self.vocab.get_config()))
        clone = SpVocab.from_config(config)
        self.assertEqual(clone.model_proto, self.vocab.model_proto)
        self.assertEqual(clone.get_config(), config)
        self.assertEqual(clone.encode(self.sentences[:5]), self.vocab.encode(self.sentences[:5]))
        serialized = json.loads(json.dumps(keras.saving.serialize_keras_object(self.vocab)))
        revived = keras.saving.deserialize_keras_object(serialized)
        self.assertIsInstance(revived, SpVocab)
        self.assertEqual(revived.model_proto, self.vocab.model_proto)

    def test_deterministic_training(self):
        again = SpVocab.build(self.sentences, vocab_size=50, seed=0)
        self.assertEqual(again.model_proto, self.vocab.model_proto)
        unseeded = [SpVocab.build(self.sentences, vocab_size=50) for _ in range(2)]
        self.assertEqual(unseeded[0].model_proto, unseeded[1].model_proto)
        bpe = [SpVocab.build(self.sentences, 50, model_type="bpe", seed=3) for _ in range(2)]
        self.assertEqual(bpe[0].model_proto, bpe[1].model_proto)
        self.assertNotEqual(bpe[0].model_proto, self.vocab.model_proto)

    def test_bad_arguments(self):
        with self.assertRaisesRegex(ValueError, "vocab_size=4"):
            SpVocab.build(self.sentences, vocab_size=4)
        with self.assertRaisesRegex(ValueError, "vocab_size=True"):
            SpVocab.build(self.sentences, vocab_size=True)
        with self.assertRaisesRegex(ValueError, "vocab_size=10000.*<= "):
            SpVocab.build(self.sentences, vocab_size=10_000)
        with self.assertRaisesRegex(ValueError, "model_type='word2vec'"):
            SpVocab.build(self.sentences, model_type="word2vec")
        with self.assertRaisesRegex(ValueError, "character_coverage=0"):
            SpVocab.build(self.sentences, character_coverage=0)
        with self.assertRaisesRegex(ValueError, "seed=-1"):
            SpVocab.build(self.sentences, seed=-1)
        with self.assertRaisesRegex(ValueError, r"sentences=\[\]"):
            SpVocab.build([])
        with self.assertRaisesRegex(ValueError, r"sentences\[1\]=3"):
            self.vocab.encode(["a", 3])
        with self.assertRaisesRegex(ValueError, "not base64"):
            SpVocab("not base64!")
        with self.assertRaisesRegex(ValueError, "not a valid SentencePiece model"):
            SpVocab(b"\x01\x02garbage")
        with self.assertRaisesRegex(ValueError, "model_proto of type int"):
            SpVocab(3)

    def test_foreign_model_without_our_special_ids_is_refused(self):
        import io

        model = io.BytesIO()
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(self.sentences), model_writer=model, vocab_size=40,
            minloglevel=2, num_threads=1,
        )  # fmt: skip
        with self.assertRaisesRegex(ValueError, "at ids 0..3"):
            SpVocab(model.getvalue())

    def test_real_data_4k_model_on_snli(self):
        data_dir = os.path.dirname(real_data_dir("snli_devtest"))
        sentences = tfrnnx.data.load_snli_sentences(data_dir, "devtest")
        heldout, train = sentences[-1], sentences[:-1]
        start = time.perf_counter()
        vocab = SpVocab.build(train, vocab_size=4000, seed=0)
        seconds = time.perf_counter() - start
        self.assertEqual(len(vocab), 4000)
        self.assertLess(seconds, 60, f"4000-piece SNLI training took {seconds:.1f}s")
        ids = vocab.encode([heldout])[0]
        self.assertNotIn(vocab.unk_id, ids)
        self.assertEqual(vocab.decode(ids), " ".join(heldout.split()))


if __name__ == "__main__":
    tf.test.main()
