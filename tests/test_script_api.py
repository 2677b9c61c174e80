"""What ordinary keras scripts call besides fit: one-batch methods, PyDataset input,
validation options, 1-D inputs, backend/config helpers, get_file offline; each against keras."""
import math

import keras
import numpy as np
import pytest

import minikeras as mk

rng = np.random.default_rng(0)
X = rng.normal(size=(50, 3)).astype("float32")
Y = (X[:, :1] > 0).astype("float32")


def model_of(lib, metrics=("accuracy",)):
    lib.utils.set_random_seed(0)
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(4, activation="tanh"),
                            lib.layers.Dense(1, activation="sigmoid")])
    model.compile(lib.optimizers.SGD(0.3), "binary_crossentropy", metrics=list(metrics))
    return model


def test_on_batch_methods_match_keras():
    ref, ours = model_of(keras), model_of(mk)
    for _ in range(3):
        assert ours.train_on_batch(X, Y) == pytest.approx(ref.train_on_batch(X, Y), rel=1e-5)
    assert ours.test_on_batch(X, Y, return_dict=True) == pytest.approx(
        ref.test_on_batch(X, Y, return_dict=True), rel=1e-5)
    np.testing.assert_allclose(ours.predict_on_batch(X), ref.predict_on_batch(X), rtol=1e-5)
    assert ours.trace_counts == {"train": 1, "test": 1}  # one trace, then reused
    lone = model_of(mk, metrics=())
    assert isinstance(lone.train_on_batch(X, Y), float)


def batches(lib, n=50, size=16):
    class Batches(lib.utils.PyDataset):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.ends = 0

        def __len__(self):
            return math.ceil(n / size)

        def __getitem__(self, i):
            return X[i * size:(i + 1) * size], Y[i * size:(i + 1) * size]

        def on_epoch_end(self):
            self.ends += 1
    return Batches()


def test_py_dataset_input_matches_keras():
    results = []
    for lib in (keras, mk):
        model = model_of(lib)
        source = batches(lib)
        history = model.fit(source, epochs=3, verbose=0, shuffle=False).history
        results.append((history, model.get_weights(), model.evaluate(batches(lib), verbose=0),
                        model.predict(batches(lib), verbose=0), source.ends))
    (ref_h, ref_w, ref_e, ref_p, _), (h, w, e, p, ends) = results
    for key in ref_h:
        np.testing.assert_allclose(h[key], ref_h[key], rtol=1e-6)
    for a, b in zip(w, ref_w):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert e == pytest.approx(ref_e, rel=1e-6)
    np.testing.assert_allclose(p, ref_p, rtol=1e-6)
    assert ends == 3  # after every pass


def test_py_dataset_batches_are_reshuffled_each_epoch_when_shuffling():
    seen = []

    class Recording(mk.utils.PyDataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            seen.append(i)
            return X[i * 10:(i + 1) * 10], Y[i * 10:(i + 1) * 10]
    mk.utils.set_random_seed(1)
    model_of(mk).fit(Recording(), epochs=3, verbose=0)
    epochs = [seen[1 + 5 * e:1 + 5 * (e + 1)] for e in range(3)]  # seen[0]: the shape probe
    assert all(sorted(order) == list(range(5)) for order in epochs)
    assert len({tuple(order) for order in epochs}) > 1


def test_validation_batch_size_and_steps():
    ref, ours = model_of(keras), model_of(mk)
    kw = dict(epochs=2, batch_size=8, verbose=0, shuffle=False,
              validation_data=(X[:20], Y[:20]), validation_batch_size=7)
    ref_h, h = ref.fit(X, Y, **kw).history, ours.fit(X, Y, **kw).history
    np.testing.assert_allclose(h["val_loss"], ref_h["val_loss"], rtol=1e-5)
    import tensorflow as tf
    val = tf.data.Dataset.from_tensor_slices((X, Y)).batch(10)
    ours.fit(X, Y, epochs=1, verbose=0, validation_data=val, validation_steps=2)
    with pytest.raises(ValueError, match="validation_steps"):
        ours.fit(X, Y, epochs=1, verbose=0, validation_data=val, validation_steps=0)


def test_one_dimensional_x_for_a_one_feature_model():
    x = np.linspace(-1, 1, 30).astype("float32")
    results = []
    for lib in (keras, mk):
        lib.utils.set_random_seed(0)
        model = lib.Sequential([lib.Input((1,)), lib.layers.Dense(1)])
        model.compile(lib.optimizers.SGD(0.1), "mse")
        results.append((model.fit(x, 3 * x, epochs=2, verbose=0).history["loss"],
                        model.predict(x, verbose=0)))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-6)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-6)
    three = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1)])
    three.compile("sgd", "mse")
    with pytest.raises(ValueError, match="rank 2"):
        three.fit(x, x, verbose=0)


def test_backend_and_config_helpers():
    assert mk.backend.floatx() == mk.config.floatx() == keras.config.floatx()
    assert mk.backend.epsilon() == keras.config.epsilon()
    assert mk.backend.image_data_format() == keras.config.image_data_format()
    with pytest.raises(ValueError, match="float32"):
        mk.backend.set_floatx("float16")
    mk.backend.clear_session()
    assert mk.layers.Dense(1).name == "dense" and mk.layers.Dense(1).name == "dense_1"


def test_get_file_uses_the_cache_and_refuses_clearly_offline(tmp_path):
    cached = tmp_path / "datasets" / "here.txt"
    cached.parent.mkdir()
    cached.write_text("x")
    assert mk.utils.get_file("here.txt", origin="http://127.0.0.1:9/here.txt",
                             cache_dir=str(tmp_path)) == str(cached)
    with pytest.raises(OSError, match="Could not download.*put a copy of the file at"):
        mk.utils.get_file("missing.txt", origin="http://127.0.0.1:9/missing.txt",
                          cache_dir=str(tmp_path))
    assert sorted(p.name for p in cached.parent.iterdir()) == ["here.txt"]  # nothing partial
