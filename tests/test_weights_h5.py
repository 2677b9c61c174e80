"""`.weights.h5`: keras 3's HDF5 weights layout, written and read by minikeras.

For each architecture the same model is built in keras and in minikeras; keras's file loads
into minikeras (and the reverse) with equal outputs, and both write the same groups, datasets
and shapes. Broken, hostile and foreign files are refused with the model untouched.
"""
import os
import pickle

import h5py
import keras
import numpy as np
import pytest

import minikeras as mk

RNG = np.random.default_rng(0)


# ---- architectures, written once for either library (K is keras or minikeras) -------------
def sequential(K):
    L = K.layers
    return K.Sequential([K.Input((6,)), L.Dense(5, activation="tanh", name="hidden"),
                         L.BatchNormalization(), L.Dropout(0.2), L.Dense(4), L.PReLU(),
                         L.Dense(2, use_bias=False)])


def convolutional(K):
    L = K.layers
    return K.Sequential([K.Input((8, 8, 2)), L.Conv2D(3, 3, activation="relu"),
                         L.BatchNormalization(center=False), L.MaxPooling2D(),
                         L.Conv2D(4, 2, padding="same"), L.LayerNormalization(),
                         L.GlobalAveragePooling2D(), L.Dense(2)])


def sequence(K):
    L = K.layers
    return K.Sequential([K.Input((7,), dtype="int32"), L.Embedding(11, 4), L.Conv1D(3, 2),
                         L.GroupNormalization(groups=3), L.Flatten(), L.Dense(1)])


def preprocessing(K):
    L = K.layers
    norm = L.Normalization()
    norm.adapt(RNG.normal(size=(20, 3)).astype("float32"))
    return K.Sequential([K.Input((3,)), norm, L.Rescaling(0.5), L.Dense(2)])


def functional(K):
    """Two outputs, a shared layer and a nested Sequential: counters and order matter."""
    L = K.layers
    inputs = K.Input((4,))
    shared = L.Dense(4, activation="relu")
    a = shared(L.Dense(4)(inputs))
    inner = K.Sequential([K.Input((4,)), L.Dense(3), L.BatchNormalization(), L.Dense(4)])
    b = shared(inner(a))
    return K.Model(inputs, [L.Dense(2)(b), L.Dense(1)(a)])


def nested(K):
    """A functional model inside a Sequential, next to a custom layer with sublayers."""
    L = K.layers

    class Block(L.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.second = L.Dense(3)
            self.first = L.Dense(3, activation="relu")

        def call(self, x):
            return self.second(self.first(x))

    inputs = K.Input((3,))
    inner = K.Model(inputs, L.Dense(3)(L.BatchNormalization()(inputs)))
    model = K.Sequential([K.Input((5,)), L.Dense(3), inner, Block(), L.Dense(1)])
    model(np.zeros((1, 5), "float32"))  # minikeras builds Block's sublayers on the first call
    return model


def subclassed(K):
    """keras visits attributes in sorted order and `layers` among them (zeta lands there)."""
    L = K.layers

    class Net(K.Model):
        def __init__(self):
            super().__init__()
            self.zeta = L.Dense(4)
            self.alpha = L.Dense(2)
            self.blocks = [L.Dense(4, activation="relu"), L.Dense(4)]
            self.heads = {"main": L.Dense(4)}
            self._private = L.Dense(4)

        def call(self, x):
            x = self.heads["main"](self.zeta(x))
            return self.alpha(self._private(self.blocks[1](self.blocks[0](x))))

    model = Net()
    model(np.zeros((1, 3), "float32"))
    return model


ARCHITECTURES = {
    "sequential": (sequential, (6,)), "convolutional": (convolutional, (8, 8, 2)),
    "sequence": (sequence, None), "preprocessing": (preprocessing, (3,)),
    "functional": (functional, (4,)), "nested": (nested, (5,)),
    "subclassed": (subclassed, (3,)),
}


def inputs_for(name):
    shape = ARCHITECTURES[name][1]
    if shape is None:
        return RNG.integers(0, 11, size=(4, 7)).astype("int32")
    return RNG.normal(size=(4,) + shape).astype("float32")


def randomize(model):
    """Distinct random values in every weight (variances positive, counts integral)."""
    model.set_weights([np.abs(RNG.normal(size=w.shape)).astype(w.dtype) + 0.1
                       if np.issubdtype(w.dtype, np.floating) else np.full(w.shape, 7, w.dtype)
                       for w in model.get_weights()])
    for layer in model.layers:  # keras's set_weights leaves Normalization's cached statistics
        if isinstance(layer, keras.layers.Normalization):
            layer.finalize_state()


def outputs(model, x):
    out = model(x, training=False)
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def listing(path):
    """The file's groups and its datasets with shapes and dtypes (keras's optimizer aside)."""
    found = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: found.append(
            (name, tuple(obj.shape), str(obj.dtype)) if isinstance(obj, h5py.Dataset)
            else (name,)))
    return sorted(item for item in found if not item[0].startswith("optimizer"))


def weights_of(model):
    return [w.copy() for w in model.get_weights()]


def assert_unchanged(model, before):
    after = model.get_weights()
    assert len(after) == len(before)
    assert all(np.array_equal(a, b) for a, b in zip(after, before))


# ---- parity with keras --------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_keras_and_minikeras_load_each_others_files(tmp_path, name):
    build, _ = ARCHITECTURES[name]
    x = inputs_for(name)
    theirs, ours = build(keras), build(mk)
    randomize(theirs)
    theirs.save_weights(tmp_path / "keras.weights.h5")
    ours.load_weights(tmp_path / "keras.weights.h5")
    for a, b in zip(outputs(ours, x), outputs(theirs, x)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    assert all(np.array_equal(a, b) for a, b in zip(ours.get_weights(), theirs.get_weights()))

    randomize(ours)
    ours.save_weights(str(tmp_path / "mk.weights.h5"))
    assert listing(tmp_path / "mk.weights.h5") == listing(tmp_path / "keras.weights.h5")
    theirs.load_weights(tmp_path / "mk.weights.h5")
    for a, b in zip(outputs(ours, x), outputs(theirs, x)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_layout_uses_class_names_with_counters_not_layer_names(tmp_path):
    model = sequential(mk)
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:
        assert f["layers/dense/vars"].attrs["name"] == "hidden"
        assert sorted(f["layers"]) == ["batch_normalization", "dense", "dense_1", "dense_2",
                                       "dropout", "p_re_lu"]
        assert [f[f"layers/batch_normalization/vars/{i}"].shape for i in range(4)] == [(5,)] * 4
        assert f["vars"].attrs["name"] == model.name and len(f["vars"]) == 0


def test_a_compiled_keras_models_file_loads_its_optimizer_state_is_ignored(tmp_path):
    theirs, ours = sequential(keras), sequential(mk)
    theirs.compile(optimizer="adam", loss="mse")
    theirs.optimizer.build(theirs.trainable_variables)
    randomize(theirs)
    theirs.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:
        assert "optimizer" in f
    ours.load_weights(tmp_path / "w.weights.h5")
    assert all(np.array_equal(a, b) for a, b in zip(ours.get_weights(), theirs.get_weights()))


# ---- paths and atomic writes --------------------------------------------------------------
def test_save_weights_is_atomic_and_leaves_no_temporary_file(tmp_path):
    model = sequential(mk)
    target = tmp_path / "w.weights.h5"
    target.write_bytes(b"old")
    model.save_weights(target)
    assert os.listdir(tmp_path) == ["w.weights.h5"]
    randomize(model)
    before = weights_of(model)
    other = sequential(mk)
    other.load_weights(target)
    assert not all(np.array_equal(a, b) for a, b in zip(other.get_weights(), before))
    model.save_weights(target)
    other.load_weights(target)
    assert_unchanged(other, before)


def test_only_save_weights_writes_the_h5_layout(tmp_path):
    model = sequential(mk)
    with pytest.raises(ValueError, match=r"'\.weights\.h5'.*save_weights.*\.minikeras"):
        model.save(tmp_path / "m.weights.h5")
    with pytest.raises(ValueError, match=r"'\.h5'.*\*\.weights\.h5"):
        model.save_weights(tmp_path / "m.h5")
    assert os.listdir(tmp_path) == []
    model.save_weights(tmp_path / "m.weights.h5")
    with pytest.raises(ValueError, match="weights only.*load_weights"):
        mk.models.load_model(tmp_path / "m.weights.h5")
    with pytest.raises(FileNotFoundError):
        model.load_weights(tmp_path / "missing.weights.h5")
    unbuilt = mk.Sequential([mk.layers.Dense(2)])
    with pytest.raises(ValueError, match="not built"):
        unbuilt.save_weights(tmp_path / "u.weights.h5")
    with pytest.raises(ValueError, match="before it is built"):
        unbuilt.load_weights(tmp_path / "m.weights.h5")


# ---- files that do not fit ----------------------------------------------------------------
@pytest.mark.parametrize("content", [b"", b"certainly not HDF5" * 10, "truncated"])
def test_garbage_and_truncated_files_are_refused_naming_the_file(tmp_path, content):
    model = sequential(mk)
    path = tmp_path / "bad.weights.h5"
    if content == "truncated":
        model.save_weights(path)
        data = path.read_bytes()
        path.write_bytes(data[:len(data) // 2])
    else:
        path.write_bytes(content)
    randomize(model)
    before = weights_of(model)
    with pytest.raises(ValueError, match="bad.weights.h5"):
        model.load_weights(path)
    assert_unchanged(model, before)


def test_another_architecture_is_refused_naming_the_layer_and_shapes(tmp_path):
    source = mk.Sequential([mk.Input((6,)), mk.layers.Dense(5), mk.layers.Dense(2)])
    source.save_weights(tmp_path / "w.weights.h5")
    target = mk.Sequential([mk.Input((6,)), mk.layers.Dense(5),
                            mk.layers.Dense(3, name="wide")])
    before = weights_of(target)
    with pytest.raises(ValueError, match=r"w\.weights\.h5.*layer 'wide'.*\(5, 3\).*\(5, 2\)"):
        target.load_weights(tmp_path / "w.weights.h5")
    assert_unchanged(target, before)

    for other in (mk.Sequential([mk.Input((6,)), mk.layers.Dense(5)]),  # fewer layers
                  mk.Sequential([mk.Input((6,)), mk.layers.Dense(5), mk.layers.Dense(2),
                                 mk.layers.Dense(2)]),  # more layers
                  mk.Sequential([mk.Input((6,)), mk.layers.Dense(5),
                                 mk.layers.Dense(2, use_bias=False)])):  # fewer weights
        before = weights_of(other)
        with pytest.raises(ValueError, match="another architecture|does not fit"):
            other.load_weights(tmp_path / "w.weights.h5")
        assert_unchanged(other, before)


def test_a_keras_file_of_another_architecture_is_refused(tmp_path):
    keras.Sequential([keras.Input((8,)), keras.layers.Dense(4), keras.layers.Dense(2)]) \
        .save_weights(tmp_path / "k.weights.h5")
    ours = mk.Sequential([mk.Input((8,)), mk.layers.Dense(4), mk.layers.BatchNormalization(),
                          mk.layers.Dense(2)])
    before = weights_of(ours)
    with pytest.raises(ValueError, match="batch_normalization"):
        ours.load_weights(tmp_path / "k.weights.h5")
    assert_unchanged(ours, before)


# ---- hostile files ------------------------------------------------------------------------
class Marker:
    """Unpickling this would create the file named in it: proof that something ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def hostile_file(tmp_path, poison):
    """A valid file of `small()` with one dataset replaced by ``poison(group, name)``."""
    model = small()
    path = tmp_path / "hostile.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "a") as f:
        group = f["layers/dense/vars"]
        del group["1"]
        poison(group, "1")
    return path


def small():
    return mk.Sequential([mk.Input((3,)), mk.layers.Dense(2)])


POISONS = {
    "pickled bytes": lambda g, n: g.create_dataset(
        n, data=np.void(pickle.dumps(Marker(str(g.file.filename) + ".ran")))),
    "object strings": lambda g, n: g.create_dataset(
        n, data=np.array([b"a", b"bc"], dtype=object), dtype=h5py.vlen_dtype(bytes)),
    "compound": lambda g, n: g.create_dataset(
        n, data=np.zeros(2, dtype=[("a", "f4"), ("b", "f4")])),
    "external link": lambda g, n: g.__setitem__(n, h5py.ExternalLink("other.h5", "/x")),
    "soft link": lambda g, n: g.__setitem__(n, h5py.SoftLink("/layers/dense/vars/0")),
    "external storage": lambda g, n: g.create_dataset(
        n, shape=(2,), dtype="f4", external=[("raw.bin", 0, 8)]),
    "reference": lambda g, n: g.create_dataset(
        n, data=np.array([g.ref, g.ref], dtype=h5py.ref_dtype)),
}


@pytest.mark.parametrize("kind", sorted(POISONS))
def test_hostile_datasets_and_links_are_refused_before_anything_is_read(tmp_path, kind):
    (tmp_path / "raw.bin").write_bytes(np.ones(2, "f4").tobytes())
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["x"] = np.ones(2, "f4")
    path = hostile_file(tmp_path, POISONS[kind])
    model = small()
    before = weights_of(model)
    with pytest.raises(ValueError, match="hostile.weights.h5") as err:
        model.load_weights(path)
    assert "layers/dense/vars/1" in str(err.value)
    assert_unchanged(model, before)
    assert not os.path.exists(str(path) + ".ran")


def test_a_float_dataset_for_an_integer_weight_is_refused(tmp_path):
    model = preprocessing(mk)
    path = tmp_path / "w.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "a") as f:
        del f["layers/normalization/vars/2"]
        f["layers/normalization/vars/2"] = np.float32(3.5)
    before = weights_of(model)
    with pytest.raises(ValueError, match="integer weight of layer 'normalization"):
        model.load_weights(path)
    assert_unchanged(model, before)
