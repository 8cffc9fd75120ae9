"""resolve_vocabulary: the one place models turn their `vocabulary` argument into an object."""

import keras
import tensorflow as tf

from tfrnnx.tokenizers import WordVocabulary
from tfrnnx.tokenizers._resolve import resolve_vocabulary


class ResolveVocabularyTest(tf.test.TestCase):
    def test_object_configs_and_word_lists_give_the_same_vocabulary(self):
        vocabulary = WordVocabulary.build(["a cat sat", "a dog sat"])
        words = vocabulary.get_config()["words"]
        for given in (vocabulary, vocabulary.get_config(), keras.saving.serialize_keras_object(vocabulary)):
            resolved = resolve_vocabulary(given)
            self.assertIsInstance(resolved, WordVocabulary)
            self.assertEqual(resolved.encode(["a dog sat"]), vocabulary.encode(["a dog sat"]))
        self.assertEqual(resolve_vocabulary(words).encode(["a cat"]), vocabulary.encode(["a cat"]))

    def test_error_names_the_accepted_classes(self):
        with self.assertRaisesRegex(ValueError, r"tfrnnx.tokenizers.WordVocabulary, its config.*type int"):
            resolve_vocabulary(3, accepted=(WordVocabulary,))
        with self.assertRaisesRegex(ValueError, "WordVocabulary or SentencePieceVocabulary"):
            resolve_vocabulary("a b c")
