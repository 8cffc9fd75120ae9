"""The vocabulary contract: Keras layers, graph-mode tokenizers that agree with `encode`,
exported with the models that hold them; and the character vocabulary."""

import os
import tempfile

import keras
import numpy as np
import tensorflow as tf

import tfrnnx
from data_dir import real_data_dir
from tfrnnx.tokenizers import CharacterVocabulary
from tfrnnx.tokenizers import Vocabulary
from tfrnnx.tokenizers import WordVocabulary

EDGE_CASES = [
    "A cat's hat, isn't it?", "  spaces\tand\nnewlines  ", "Café naïve façade", "3.14 is π",
    "UPPER lower MiXeD", "non\u00a0breaking space", "emoji 🙂 ok", "", "__init__ x_y",
    "rock'n'roll o' 'quoted'", "...!?", "Straße ĲSSEL",
]


def _round_trip(vocabulary):
    return keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(vocabulary))


class VocabularyLayerTest(tf.test.TestCase):
    def test_every_vocabulary_is_a_keras_layer_with_the_special_ids(self):
        vocab = WordVocabulary.build(["a cat sat"])
        self.assertIsInstance(vocab, keras.layers.Layer)
        self.assertIsInstance(vocab, Vocabulary)
        self.assertEqual((vocab.pad_id, vocab.unk_id, vocab.bos_id, vocab.eos_id), (0, 1, 2, 3))
        self.assertEqual(vocab.vocabulary_size(), len(vocab))
        # `build` on the class makes a vocabulary; on an instance it is the layer's build.
        vocab.build(None)
        self.assertTrue(vocab.built)
        restored = _round_trip(WordVocabulary(["b", "a"], lowercase=False, name="words"))
        self.assertEqual((restored.words, restored.lowercase, restored.name),
                         (["b", "a"], False, "words"))  # fmt: skip

    def test_graph_tokenizer_agrees_with_encode_on_edge_cases(self):
        vocab = WordVocabulary.build(EDGE_CASES)
        for lowercase in (True, False):
            vocab = WordVocabulary.build(EDGE_CASES, lowercase=lowercase)
            graph = tf.function(lambda s: vocab(s, add_bos_eos=True))(tf.constant(EDGE_CASES))
            self.assertEqual(graph.to_list(), vocab.encode(EDGE_CASES, add_bos_eos=True))
        unknown = vocab(["zebra a"]).to_list()
        self.assertEqual(unknown, vocab.encode(["zebra a"]))

    def test_graph_tokenizer_agrees_with_encode_on_real_text_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("semeval_twitter"))
        tweets = [text for _, _, text in tfrnnx.data.load_semeval_tweets(data_dir)[:3000]]
        vocab = WordVocabulary.build(tweets[:1500], lowercase=True)
        self.assertEqual(vocab(tweets).to_list(), vocab.encode(tweets))

    def test_a_model_exports_its_vocabulary_tables(self):
        vocab = WordVocabulary.build(["a cat sat", "a dog ran"])
        lm = tfrnnx.models.LanguageModel(vocab, embedding_dim=4, units=4, seed=0)
        lm(vocab.pad(vocab.encode(["a cat"], add_bos_eos=True)))
        self.assertIn(vocab, lm._flatten_layers())  # tracked as a sublayer
        archive = keras.export.ExportArchive()
        archive.track(lm)
        archive.add_endpoint(
            "tokenize", lambda s: lm.vocabulary(s, add_bos_eos=True).to_tensor(),
            input_signature=[tf.TensorSpec((None,), tf.string)],
        )
        with tempfile.TemporaryDirectory() as tmp:
            archive.write_out(tmp, verbose=False)
            del archive
            served = tf.saved_model.load(tmp)
            ids = served.tokenize(tf.constant(["A dog sat", "a zebra"])).numpy().tolist()
        self.assertEqual(ids, vocab.pad(vocab.encode(["A dog sat", "a zebra"], add_bos_eos=True)).tolist())


class CharacterVocabularyTest(tf.test.TestCase):
    def test_encode_decode_and_pad(self):
        vocab = CharacterVocabulary.build(["hello", "hi"], pad_character="_")
        self.assertEqual(vocab.characters, ["_", "e", "h", "i", "l", "o"])
        self.assertEqual((vocab.pad_id, vocab.unk_id, vocab.bos_id, vocab.eos_id), (0, None, None, None))
        self.assertAllEqual(vocab.encode(["hi", "hello"], length=3), [[2, 3, 0], [2, 1, 4]])
        self.assertEqual(vocab.encode(["hi"]), [[2, 3]])
        self.assertEqual(vocab.decode([2, 3, 0, 0]), "hi")
        self.assertAllEqual(vocab.pad([[2], [2, 3]]), [[2, 0], [2, 3]])
        plain = CharacterVocabulary.build("abca")
        self.assertEqual((plain.characters, plain.pad_id), (["a", "b", "c"], None))

    def test_graph_mode_tokenize_and_detokenize(self):
        vocab = CharacterVocabulary(list("_abé"), pad_character="_")
        ragged = vocab(tf.constant(["ab", "béa"]))
        self.assertEqual(ragged.to_list(), [[1, 2], [2, 3, 1]])
        dense = tf.function(lambda s: vocab(s, sequence_length=4))(tf.constant(["ab", "béaab"]))
        self.assertAllEqual(dense, [[1, 2, 0, 0], [2, 3, 1, 1]])
        strings = vocab.detokenize(tf.constant([[1, 2, 0, 0], [3, 0, 1, 0]])).numpy()
        self.assertEqual([s.decode() for s in strings], ["ab", "éa"])
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "absent from the vocabulary"):
            vocab(tf.constant(["abz"]))
        exact = CharacterVocabulary(list("ab"))
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "exactly sequence_length=3"):
            exact(tf.constant(["ab"]), sequence_length=3)

    def test_config_and_bad_arguments(self):
        restored = _round_trip(CharacterVocabulary(list("xy"), pad_character="y"))
        self.assertEqual((restored.characters, restored.pad_id), (["x", "y"], 1))
        with self.assertRaisesRegex(ValueError, "one-character strings. Received: characters=\\['ab'\\]"):
            CharacterVocabulary(["ab"])
        with self.assertRaisesRegex(ValueError, "characters must be distinct"):
            CharacterVocabulary(list("aa"))
        with self.assertRaisesRegex(ValueError, "pad_character must be one of the characters. Received: pad_character='z'"):
            CharacterVocabulary(list("ab"), pad_character="z")
        with self.assertRaisesRegex(ValueError, r"texts\[1\] has characters absent from vocabulary: \['z'\]"):
            CharacterVocabulary(list("ab")).encode(["ab", "az"])
        with self.assertRaisesRegex(ValueError, r"texts\[0\] is shorter than length=3"):
            CharacterVocabulary(list("ab")).encode(["ab"], length=3)
        with self.assertRaisesRegex(ValueError, "pad needs a pad character"):
            CharacterVocabulary(list("ab")).pad([[0]])


if __name__ == "__main__":
    tf.test.main()
