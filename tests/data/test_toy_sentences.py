import re

import tensorflow as tf

from tfrnnx.data.toy_sentences import toy_sentences

# Independent reference: the documented grammar as a regular expression.
_NP = r"(a|the|one)( (big|small|red|old|happy))? (dog|cat|man|woman|child|bird)"
_GRAMMAR = re.compile(
    rf"^{_NP} (sees|follows|likes|watches) {_NP}( (in the park|on the grass|near the house|"
    r"at the beach))? \.$"
)


class ToySentencesTest(tf.test.TestCase):
    def test_every_sentence_follows_the_grammar(self):
        sentences = toy_sentences(500, seed=3)
        self.assertLen(sentences, 500)
        for sentence in sentences:
            self.assertRegex(sentence, _GRAMMAR)
        # The optional place appears about half the time.
        places = sum(s.endswith(("park .", "grass .", "house .", "beach .")) for s in sentences)
        self.assertBetween(places, 200, 300)

    def test_seeded_and_bad_count(self):
        self.assertEqual(toy_sentences(5, seed=1), toy_sentences(5, seed=1))
        self.assertNotEqual(toy_sentences(5, seed=1), toy_sentences(5, seed=2))
        with self.assertRaisesRegex(ValueError, "num_sentences.*Received: num_sentences=0"):
            toy_sentences(0)
