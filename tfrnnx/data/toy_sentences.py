"""A small procedural English corpus, generated in code (the demo's embedded text data)."""

import numpy as np

from tfrnnx._validation import check_integer

_DETERMINERS = ("a", "the", "one")
_ADJECTIVES = ("big", "small", "red", "old", "happy")
_NOUNS = ("dog", "cat", "man", "woman", "child", "bird")
_VERBS = ("sees", "follows", "likes", "watches")
_PLACES = ("in the park", "on the grass", "near the house", "at the beach")


def toy_sentences(num_sentences, seed=0):
    """`num_sentences` sentences of a tiny grammar, e.g. "the red dog sees a cat in the park ."

    Grammar: determiner [adjective] noun verb determiner [adjective] noun [place] "." with
    each optional part present with probability 1/2; words are space-separated.

    Example:

    >>> from tfrnnx.data.toy_sentences import toy_sentences
    >>> toy_sentences(2, seed=0)
    ['one old cat sees a dog .', 'the woman likes the cat at the beach .']
    """
    check_integer("num_sentences", num_sentences)
    rng = np.random.default_rng(seed)

    def noun_phrase():
        words = [str(rng.choice(_DETERMINERS))]
        if rng.random() < 0.5:
            words.append(str(rng.choice(_ADJECTIVES)))
        return words + [str(rng.choice(_NOUNS))]

    sentences = []
    for _ in range(num_sentences):
        words = noun_phrase() + [str(rng.choice(_VERBS))] + noun_phrase()
        if rng.random() < 0.5:
            words.append(str(rng.choice(_PLACES)))
        sentences.append(" ".join(words + ["."]))
    return sentences
