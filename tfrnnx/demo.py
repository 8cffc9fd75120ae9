"""``tfrnnx demo``: train, export and serve the demo models on data generated in code.

1. Temporal-order task (thesis §3.4.1) with ``RecurrentDropoutLSTM``: TensorBoard logs under
   ``<logdir>/temporal_order``, a resumable checkpoint, a SavedModel at
   ``<export-dir>/temporal_order/1``, then a reload and a prediction through its signature.
2. ``WGANGPText`` (thesis §5.4) on a procedural toy corpus: TensorBoard logs under
   ``<logdir>/text_gan``, a SavedModel at ``<export-dir>/text_gan/1`` whose signature returns
   sampled sentences as strings, reloaded and sampled.
3. ``HybridTextVAE`` (thesis §5.3) on 32-character fragments of the toy corpus: TensorBoard logs
   under ``<logdir>/text_vae``, a SavedModel at ``<export-dir>/text_vae/1`` with text-in /
   text-out endpoints, reloaded and asked to reconstruct a fragment.
4. ``RecurrentAttentionModel`` (thesis §4.3) on cluttered shapes: TensorBoard logs (losses and
   glimpse boxes) under ``<logdir>/attention``, a SavedModel at ``<export-dir>/attention/1``
   returning class probabilities and each step's glimpse box, reloaded and asked about a
   test image.
"""

import os
import shutil
import tempfile
import time

import keras
import numpy as np
import tensorflow as tf

import tfrnnx
from tfrnnx.data.temporal_order import CLASSES, SYMBOLS, temporal_order
from tfrnnx.data.char_fragments import char_fragments
from tfrnnx.data.cluttered_shapes import SHAPES, cluttered_shapes
from tfrnnx.data.toy_sentences import toy_sentences


def add_arguments(parser):
    parser.add_argument("--logdir", default="runs", help="TensorBoard log directory")
    parser.add_argument("--export-dir", default="saved_models", help="SavedModel root")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--length", type=int, default=20, help="temporal-order sequence length")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="a seconds-long smoke run")


def build_temporal_order_model(units=64, seed=0):
    model = keras.Sequential(name="temporal_order")
    model.add(keras.Input((None, len(SYMBOLS)), name="symbols"))
    model.add(tfrnnx.layers.RecurrentDropoutLSTM(units, recurrent_dropout=0.25, seed=seed))
    model.add(keras.layers.Dense(len(CLASSES), activation="softmax"))
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def export_atomically(export_path, write):
    """Calls `write(staging_dir)` on a temporary sibling directory, then renames it into place."""
    parent = os.path.dirname(os.path.abspath(export_path))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".export-", dir=parent)
    try:
        write(staging)
        if os.path.exists(export_path):
            shutil.rmtree(export_path)
        os.replace(staging, export_path)
    finally:
        if os.path.exists(staging):
            shutil.rmtree(staging)


def run_temporal_order(args):
    keras.utils.set_random_seed(args.seed)
    train_size, test_size = (256, 64) if args.quick else (4000, 500)
    epochs = 1 if args.quick else args.epochs
    x_train, y_train = temporal_order(train_size, args.length, seed=args.seed)
    x_test, y_test = temporal_order(test_size, args.length, seed=args.seed + 1)

    logdir = os.path.join(args.logdir, "temporal_order")
    os.makedirs(logdir, exist_ok=True)
    model = build_temporal_order_model(units=16 if args.quick else 64, seed=args.seed)
    started = time.time()
    model.fit(
        x_train, y_train, batch_size=64, epochs=epochs, validation_data=(x_test, y_test),
        verbose=2,
        callbacks=[
            keras.callbacks.TensorBoard(logdir),
            # Resumes an interrupted demo where it stopped.
            keras.callbacks.BackupAndRestore(os.path.join(logdir, "backup")),
            keras.callbacks.ModelCheckpoint(os.path.join(logdir, "model.keras")),
        ],
    )
    _, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"temporal order (length {args.length}): test accuracy {test_accuracy:.3f} "
          f"after {epochs} epochs in {time.time() - started:.0f} s")

    export_path = os.path.join(args.export_dir, "temporal_order", "1")
    signature = [tf.TensorSpec((None, None, len(SYMBOLS)), tf.float32, name="symbols")]
    export_atomically(export_path, lambda path: model.export(
        path, format="tf_saved_model", input_signature=signature, verbose=False
    ))
    served = tf.saved_model.load(export_path)
    probabilities = served.signatures["serving_default"](symbols=tf.constant(x_test[:1]))
    probabilities = next(iter(probabilities.values())).numpy()[0]
    sequence = "".join(SYMBOLS[i] for i in x_test[0].argmax(-1))
    print(f"SavedModel {export_path}: '{sequence}' -> {CLASSES[int(probabilities.argmax())]} "
          f"(p={probabilities.max():.2f}; true {CLASSES[int(y_test[0])]})")
    return test_accuracy


def run_text_gan(args):
    keras.utils.set_random_seed(args.seed)
    sentences = toy_sentences(256 if args.quick else 4000, seed=args.seed)
    vocabulary = tfrnnx.tokenizers.WordVocabulary.build(sentences)
    length = 16  # the longest toy sentence has 13 words, + <eos>
    ids = vocabulary.pad([row + [vocabulary.eos_id] for row in vocabulary.encode(sentences)], length)
    gan = tfrnnx.models.WGANGPText(
        len(vocabulary), length, generator="conv", latent_dim=32, units=64,
        generator_filters=64, critic_filters=64, critic_layers=1, critic_steps=5,
        vocabulary=vocabulary, seed=args.seed,
    )  # fmt: skip
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9),
        critic_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9),
    )
    logdir = os.path.join(args.logdir, "text_gan")
    steps = 5 if args.quick else 1500
    started = time.time()
    dataset = tf.data.Dataset.from_tensor_slices(ids).shuffle(len(ids), seed=args.seed)
    gan.fit(dataset.repeat().batch(64, drop_remainder=True), epochs=1, steps_per_epoch=steps, shuffle=False,
            verbose=2, callbacks=[keras.callbacks.TensorBoard(logdir)])  # fmt: skip
    print(f"text GAN: {steps} generator steps in {time.time() - started:.0f} s")
    export_path = os.path.join(args.export_dir, "text_gan", "1")
    export_atomically(export_path, gan.export_serving)
    served = tf.saved_model.load(export_path).signatures["serving_default"]
    samples = [s.decode() for s in served(num_samples=tf.constant(3))["sentences"].numpy()]
    print(f"SavedModel {export_path}: " + " | ".join(samples))
    return samples


def run_text_vae(args):
    keras.utils.set_random_seed(args.seed)
    text = " ".join(toy_sentences(2000, seed=args.seed + 1))
    length = 32
    tokens, vocabulary = char_fragments(text, length, 256 if args.quick else 4000, seed=args.seed)
    held_out, _ = char_fragments(text, length, 32 if args.quick else 256, seed=args.seed + 1)
    # α = 1 and a 32-dim z: the auxiliary (historyless) cost makes z carry the fragment, so
    # the posterior mean reconstructs it (α = 0.2 and 16 dims fell back to a language
    # model: 0.15 character accuracy after 8 epochs).
    vae = tfrnnx.models.HybridTextVAE(
        len(vocabulary), length, latent_dim=32, encoder_filters=(64, 128, 128),
        decoder="lstm", rnn_units=128, aux_weight=1.0,
        kl_annealing=(0, 4 if args.quick else 300), seed=args.seed,
    )  # fmt: skip
    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    logdir = os.path.join(args.logdir, "text_vae")
    started = time.time()
    vae.fit(tokens, batch_size=64, epochs=1 if args.quick else 10, verbose=2,
            callbacks=[keras.callbacks.TensorBoard(logdir)])  # fmt: skip
    accuracy = float(np.mean(np.asarray(vae.reconstruct(held_out)) == held_out))
    print(f"text VAE: trained in {time.time() - started:.0f} s; character accuracy of the "
          f"reconstructions of {len(held_out)} fragments from new random positions: {accuracy:.3f}")
    vae(tokens[:1])  # export needs built sublayers; fit's traced step does not mark them
    export_path = os.path.join(args.export_dir, "text_vae", "1")
    export_atomically(export_path, lambda path: vae.export(path, verbose=False,
                                                           vocabulary=vocabulary))  # fmt: skip
    served = tf.saved_model.load(export_path)
    fragment = "".join(vocabulary[i] for i in held_out[0])
    rebuilt = served.reconstruct_text(tf.constant([fragment])).numpy()[0].decode()
    print(f"SavedModel {export_path}: reconstruct_text('{fragment}') -> '{rebuilt}'")
    return fragment, rebuilt, accuracy


def run_attention(args):
    keras.utils.set_random_seed(args.seed)
    train_size, test_size = (128, 32) if args.quick else (6000, 500)
    x_train, y_train = cluttered_shapes(train_size, seed=args.seed)
    x_test, y_test = cluttered_shapes(test_size, seed=args.seed + 1)
    # Glimpses span at most 40% of the image side (the thesis' size limit, §4.4.1): without
    # it the model reads a blurred whole image and stays near 0.7 accuracy, with it the
    # model learns where to look (docs/results/attention_diagnosis.md).
    model = tfrnnx.models.RecurrentAttentionModel(
        len(SHAPES), num_glimpses=3, glimpse_shape=(8, 8), units=64, glimpse_units=64,
        classifier_units=64, context_network=True, max_glimpse_extent=0.4, seed=args.seed,
    )  # fmt: skip
    model.compile(keras.optimizers.Adam(2e-3, clipnorm=1.0), metrics=["accuracy"])
    logdir = os.path.join(args.logdir, "attention")
    started = time.time()
    model.fit(x_train, y_train, batch_size=64, epochs=1 if args.quick else 15, verbose=2,
              callbacks=[keras.callbacks.TensorBoard(logdir),
                         tfrnnx.callbacks.GlimpseSummary(logdir, x_test[:3])])  # fmt: skip
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    areas = np.asarray(tfrnnx.layers.DrawGlimpse.box_area(model.trace(x_test)["boxes"][:, -1]))
    print(f"attention model (cluttered shapes): test accuracy {accuracy:.3f} in "
          f"{time.time() - started:.0f} s; last glimpse box covers at most 40% of the image "
          f"on {np.mean(areas <= 0.4):.0%} of test images (mean {areas.mean():.0%})")
    export_path = os.path.join(args.export_dir, "attention", "1")
    export_atomically(export_path, model.export_serving)
    served = tf.saved_model.load(export_path).signatures["serving_default"]
    out = served(images=tf.constant(x_test[:1]))
    probabilities, boxes = out["probabilities"].numpy()[0], out["boxes"].numpy()[0]
    print(f"SavedModel {export_path}: {SHAPES[int(probabilities.argmax())]} "
          f"(p={probabilities.max():.2f}; true {SHAPES[int(y_test[0])]}), glimpse boxes "
          + " ".join("[" + ",".join(f"{v:.2f}" for v in box) + "]" for box in boxes))
    return accuracy


def run(args):
    run_temporal_order(args)
    run_text_gan(args)
    run_text_vae(args)
    run_attention(args)
    print(f"TensorBoard: tensorboard --logdir {args.logdir}")
    return 0
