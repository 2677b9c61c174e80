"""keras's `.keras` files: what minikeras writes keras loads, what keras writes minikeras
loads (weights, compile configuration and optimizer state), and hostile files are refused."""
import json
import warnings
import zipfile

import keras
import numpy as np
import pytest

import minikeras as mk

rng = np.random.default_rng(0)
X = rng.normal(size=(48, 4)).astype("float32")
Y = rng.integers(0, 3, size=48)
FIT = dict(epochs=2, batch_size=16, shuffle=False, verbose=0)


def sequential(lib):
    model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(8, activation="relu"),
                            lib.layers.BatchNormalization(),
                            lib.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=lib.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def functional(lib):
    a, b = lib.Input((4,), name="a"), lib.Input((2,), name="b")
    h = lib.layers.Dense(5, activation="tanh", kernel_regularizer=lib.regularizers.l2(0.01))(a)
    out = lib.layers.Dense(3, activation="softmax")(lib.layers.Concatenate()([h, b]))
    model = lib.Model([a, b], out)
    model.compile(optimizer=lib.optimizers.SGD(0.1, momentum=0.9),
                  loss="sparse_categorical_crossentropy")
    return model


def data(kind):
    return X if kind == "sequential" else [X, X[:, :2]]


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_keras_loads_what_minikeras_writes_and_continues_alike(kind, tmp_path):
    make = sequential if kind == "sequential" else functional
    ours = make(mk)
    ours.fit(data(kind), Y, **FIT)
    ours.save(tmp_path / "m.keras")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # keras warns when the optimizer state does not fit
        ref = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(ref.predict(data(kind), verbose=0),
                               ours.predict(data(kind), verbose=0), rtol=1e-6, atol=1e-7)
    for a, b in zip(ref.optimizer.variables, ours.optimizer.variables):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), b.numpy())
    h_ref, h_ours = ref.fit(data(kind), Y, **FIT).history, ours.fit(data(kind), Y, **FIT).history
    np.testing.assert_allclose(h_ours["loss"], h_ref["loss"], rtol=1e-5)


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_minikeras_loads_what_keras_writes(kind, tmp_path):
    make = sequential if kind == "sequential" else functional
    ref = make(keras)
    ref.fit(data(kind), Y, **FIT)
    ref.save(tmp_path / "k.keras")
    ours = mk.models.load_model(tmp_path / "k.keras")
    assert [type(layer).__name__ for layer in ours.layers] == \
        [type(layer).__name__ for layer in ref.layers]
    np.testing.assert_allclose(ours.predict(data(kind), verbose=0),
                               ref.predict(data(kind), verbose=0), rtol=1e-6, atol=1e-7)
    assert ours.compiled and type(ours.optimizer).__name__ == type(ref.optimizer).__name__
    for a, b in zip(ours.optimizer.variables, ref.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), keras.ops.convert_to_numpy(b))
    h_ref, h_ours = ref.fit(data(kind), Y, **FIT).history, ours.fit(data(kind), Y, **FIT).history
    np.testing.assert_allclose(h_ours["loss"], h_ref["loss"], rtol=1e-5)


def test_uncompiled_load_and_own_round_trip(tmp_path):
    model = sequential(mk)
    model.fit(X, Y, **FIT)
    model.save(tmp_path / "m.keras")
    bare = mk.models.load_model(tmp_path / "m.keras", compile=False)
    assert not bare.compiled
    again = mk.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(again.predict(X, verbose=0), model.predict(X, verbose=0))
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        assert sorted(z.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        assert json.loads(z.read("config.json"))["module"] == "keras"


def _rewrite(path, out, change):
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    change(members)
    with zipfile.ZipFile(out, "w") as z:
        for name, value in members.items():
            z.writestr(name, value)
    return out


def test_hostile_files_are_refused_before_anything_runs(tmp_path):
    model = sequential(mk)
    model.save(tmp_path / "m.keras")
    src = tmp_path / "m.keras"

    def add_member(members):
        members["assets/evil.py"] = b"import os"

    def lambda_layer(members):
        doc = json.loads(members["config.json"])
        doc["config"]["layers"][1] = {"module": "keras.layers", "class_name": "Lambda",
                                      "config": {"name": "l", "function": "os.system"}}
        members["config.json"] = json.dumps(doc).encode()

    def unknown_class(members):
        doc = json.loads(members["config.json"])
        doc["config"]["layers"][1]["class_name"] = "os.system"
        members["config.json"] = json.dumps(doc).encode()

    def drop_weights(members):
        del members["model.weights.h5"]

    for i, change in enumerate((add_member, lambda_layer, unknown_class, drop_weights)):
        bad = _rewrite(src, tmp_path / f"bad{i}.keras", change)
        with pytest.raises(ValueError, match="bad"):
            mk.models.load_model(bad)
    (tmp_path / "text.keras").write_text("not a zip")
    with pytest.raises(ValueError, match="not a zip"):
        mk.models.load_model(tmp_path / "text.keras")


def test_save_weights_to_a_keras_name_is_refused_with_the_way_out(tmp_path):
    model = sequential(mk)
    model.fit(X, Y, **FIT)
    with pytest.raises(ValueError, match="weights.h5"):
        model.save_weights(tmp_path / "w.keras")


def test_load_weights_from_a_keras_file(tmp_path):
    ref = sequential(keras)
    ref.fit(X, Y, **FIT)
    ref.save(tmp_path / "k.keras")
    ours = sequential(mk)
    ours.build((None, 4))
    ours.load_weights(tmp_path / "k.keras")
    np.testing.assert_allclose(ours.predict(X, verbose=0), ref.predict(X, verbose=0),
                               rtol=1e-6, atol=1e-7)


def test_discretization_round_trips_through_keras_files_and_takes_any_shape(tmp_path):
    """keras's own test: a Sequential built for (2,) saved to .keras, its layer then called on
    9 values (an elementwise layer takes any shape, as in keras)."""
    for lib in (keras, mk):
        layer = lib.layers.Discretization(bin_boundaries=[0.0, 0.35, 0.5, 1.0])
        model = lib.Sequential([lib.Input((2,)), layer])
        model.save(tmp_path / f"{lib.__name__}.keras")
        loaded = mk.models.load_model(tmp_path / f"{lib.__name__}.keras")
        x = np.array([[-1.0, 0.0, 0.1, 0.2, 0.4, 0.5, 1.0, 1.2, 0.98]])
        np.testing.assert_array_equal(np.asarray(layer(x)), [[0, 1, 1, 1, 2, 3, 4, 4, 3]])
        np.testing.assert_array_equal(np.asarray(loaded.predict(x[:, :2], verbose=0)),
                                      [[0, 1]])
