import json

import keras_tuner
import tensorflow as tf

from tfrnnx.protocol import SearchSpace

SPEC = {
    "learning_rate": ("log_uniform", 1e-4, 1e-1),
    "dropout": ("uniform", 0.0, 0.5),
    "units": ("int", 16, 64),
    "cell": ("choice", ["lstm", "gru"]),
    "epochs": ("fixed", 20),
}


class SearchSpaceTest(tf.test.TestCase):
    def test_spec_becomes_keras_tuner_hyperparameters(self):
        hp = SearchSpace(SPEC).hyperparameters()
        by_name = {p.name: p for p in hp.space}
        self.assertIsInstance(by_name["learning_rate"], keras_tuner.engine.hyperparameters.Float)
        self.assertEqual(by_name["learning_rate"].sampling, "log")
        self.assertEqual((by_name["learning_rate"].min_value, by_name["learning_rate"].max_value), (1e-4, 1e-1))
        self.assertEqual(by_name["dropout"].sampling, "linear")
        self.assertEqual((by_name["units"].min_value, by_name["units"].max_value), (16, 64))
        self.assertEqual(list(by_name["cell"].values), ["lstm", "gru"])
        self.assertEqual(hp.values["epochs"], 20)

    def test_config_round_trips_through_json(self):
        space = SearchSpace(SPEC)
        again = SearchSpace.from_config(json.loads(json.dumps(space.get_config())))
        self.assertEqual(again.spec, space.spec)
        self.assertEqual(again.get_config(), space.get_config())

    def test_tensorboard_domains(self):
        hparams = {h.name: h for h in SearchSpace(SPEC).tensorboard_hparams()}
        self.assertEqual((hparams["learning_rate"].domain.min_value, hparams["learning_rate"].domain.max_value), (1e-4, 1e-1))
        self.assertEqual((hparams["units"].domain.min_value, hparams["units"].domain.max_value), (16, 64))
        self.assertEqual(sorted(hparams["cell"].domain.values), ["gru", "lstm"])
        self.assertEqual(hparams["epochs"].domain.values, [20])

    def test_bad_specs_raise_errors_naming_the_hyperparameter_and_spec(self):
        bad = {
            "lr": ("log_uniform", 0.0, 1.0),  # log needs lo > 0
            "lr2": ("uniform", 1.0, 0.5),  # lo >= hi
            "n": ("int", 1.5, 4),  # non-integer bound
            "c": ("choice", []),  # empty
            "c2": ("choice", [1, "a"]),  # mixed types
            "k": ("gaussian", 0.0, 1.0),  # unknown kind
            "f": ("fixed",),  # missing value
            "u": ("uniform", 0.0),  # missing bound
            "v": 3.0,  # not a tuple
        }
        for name, entry in bad.items():
            with self.subTest(name=name):
                with self.assertRaisesRegex(ValueError, rf"'{name}'.*Received: {name}=") as caught:
                    SearchSpace({name: entry})
                self.assertIn(repr(entry), str(caught.exception))
        with self.assertRaisesRegex(ValueError, "non-empty dict"):
            SearchSpace({})
