"""Saving: round trips that continue training exactly, and files that cannot hurt."""
import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minikeras as mk
from minikeras import layers
from minikeras.saving import archive

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 3)).astype(np.float32)
Y = (X[:, 0] * X[:, 1] > 0).astype(np.float32)


def trained_model(seed=0, fit=True):
    mk.utils.set_random_seed(seed)
    m = mk.Sequential([mk.Input(shape=(3,)), layers.Dense(6, activation="tanh"),
                       layers.Dropout(0.3), layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer=mk.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
              loss="binary_crossentropy", metrics=["accuracy"])
    if fit:
        m.fit(X, Y, batch_size=16, epochs=2, verbose=0)
    return m


def same_weights(a, b):
    return all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))


def test_round_trip_predicts_and_continues_training_exactly(tmp_path):
    path = tmp_path / "model"  # any file name, no extension needed
    model = trained_model()
    model.save(path)
    assert path.is_file() and zipfile.is_zipfile(path)
    loaded = mk.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert loaded.optimizer.iterations.numpy() == model.optimizer.iterations.numpy()
    # shuffling and Dropout draw from restored generators: the continuation is bit-identical
    h1 = model.fit(X, Y, batch_size=16, epochs=3, verbose=0).history
    h2 = loaded.fit(X, Y, batch_size=16, epochs=3, verbose=0).history
    assert h1 == h2 and same_weights(model, loaded)
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]


def test_uncompiled_and_nested_models_round_trip(tmp_path):
    inner = mk.Sequential([layers.Dense(4, activation="relu"), layers.Flatten()])
    model = mk.Sequential([mk.Input(shape=(3,)), inner, layers.Activation("gelu"),
                           layers.Dense(2, kernel_regularizer=mk.regularizers.L2(0.01)),
                           layers.Softmax()])
    model.save(tmp_path / "m.minikeras")
    loaded = mk.models.load_model(tmp_path / "m.minikeras")
    assert not loaded.compiled
    np.testing.assert_array_equal(loaded(X).numpy(), model(X).numpy())
    assert loaded.layers[2].kernel_regularizer.l2 == pytest.approx(0.01)


def test_save_and_load_weights(tmp_path):
    model, other = trained_model(), trained_model(seed=5, fit=False)
    model.save_weights(tmp_path / "w")
    other.load_weights(tmp_path / "w")
    assert same_weights(model, other)


def test_load_weights_of_another_architecture_names_layer_and_shapes(tmp_path):
    model = trained_model()
    model.save_weights(tmp_path / "w")
    wide = mk.Sequential([mk.Input(shape=(3,)), layers.Dense(7, activation="tanh"),
                          layers.Dense(1)])
    before = wide.get_weights()
    with pytest.raises(ValueError, match=r"w'.*weight 'kernel' has shape \(3, 7\), received an "
                                         r"array of shape \(3, 6\)"):
        wide.load_weights(tmp_path / "w")
    assert all(np.array_equal(a, b) for a, b in zip(wide.get_weights(), before))


def test_custom_objects(tmp_path):
    def scaled_tanh(x):
        return 2.0 * tf.tanh(x)

    model = mk.Sequential([mk.Input(shape=(3,)), layers.Dense(2, activation=scaled_tanh)])
    model.compile(optimizer="sgd", loss="mse")
    model.save(tmp_path / "m")
    with pytest.raises(ValueError, match="scaled_tanh"):
        mk.models.load_model(tmp_path / "m")
    loaded = mk.models.load_model(tmp_path / "m", custom_objects={"scaled_tanh": scaled_tanh})
    np.testing.assert_array_equal(loaded(X).numpy(), model(X).numpy())


class ScaledOnes(mk.initializers.Initializer):
    """A custom initializer class with a config."""

    def __init__(self, scale=1.0):
        self.scale = scale

    def __call__(self, shape, dtype=None):
        return self.scale * tf.ones(shape, dtype or tf.float32)

    def get_config(self):
        return {"scale": self.scale}


def test_custom_initializers_regularizers_and_losses_round_trip(tmp_path):
    def halved_l1(w):
        return 0.5 * tf.reduce_sum(tf.abs(w))

    def doubled_mse(y_true, y_pred):
        return 2.0 * tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)

    model = mk.Sequential([mk.Input(shape=(3,)),
                           layers.Dense(2, kernel_initializer=ScaledOnes(3.0),
                                        kernel_regularizer=halved_l1)])
    model.compile(optimizer="sgd", loss=doubled_mse)
    model.fit(X, np.zeros((len(X), 2), np.float32), epochs=1, verbose=0)
    model.save(tmp_path / "m")
    with pytest.raises(ValueError, match="m'.*custom object 'ScaledOnes'.*custom_objects"):
        mk.models.load_model(tmp_path / "m")
    custom = {"ScaledOnes": ScaledOnes, "halved_l1": halved_l1, "doubled_mse": doubled_mse}
    loaded = mk.models.load_model(tmp_path / "m", custom_objects=custom)
    dense = loaded.layers[0]
    assert isinstance(dense.kernel_initializer, ScaledOnes)
    assert dense.kernel_initializer.scale == 3.0  # rebuilt from its saved config
    assert dense.kernel_regularizer is halved_l1 and loaded.loss.fn is doubled_mse
    assert same_weights(model, loaded)
    y = np.ones((len(X), 2), np.float32)
    h1 = model.fit(X, y, epochs=2, verbose=0).history
    h2 = loaded.fit(X, y, epochs=2, verbose=0).history
    assert h1 == h2 and same_weights(model, loaded)


class Scale(layers.Layer):
    """A custom layer whose constructor makes its weight (no build of its own)."""

    def __init__(self, size=3, **kwargs):
        super().__init__(**kwargs)
        self.size = size
        self.scale = self.add_weight(shape=(size,), initializer=mk.initializers.Ones(), name="scale")

    def call(self, inputs, training=False):
        return inputs * self.scale

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class Doubler(layers.Layer):
    """A custom layer with its own build (its weights cannot be known before building)."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],),
                                 initializer=mk.initializers.Constant(2.0), name="w")
        super().build(input_shape)

    def call(self, inputs, training=False):
        return inputs * self.w


def test_custom_layers_with_constructor_or_build_weights_round_trip(tmp_path):
    model = mk.Sequential([mk.Input(shape=(3,)), Scale(3), Doubler(), layers.Dense(1)])
    model.layers[0].scale.assign([1.0, 2.0, 3.0])
    model.save(tmp_path / "m")
    loaded = mk.models.load_model(tmp_path / "m",
                                  custom_objects={"Scale": Scale, "Doubler": Doubler})
    np.testing.assert_array_equal(loaded(X).numpy(), model(X).numpy())
    # a constructor-made weight is known before building: a mismatch is caught up front
    mk.Sequential([mk.Input(shape=(3,)), Scale(3), layers.Dense(1)]).save(tmp_path / "s")
    with pytest.raises(ValueError, match=r"weight \S*scale has shape \(4,\), the file's array 0 "
                                         r"has shape \(3,\)"):
        mk.models.load_model(rewrite(tmp_path / "s", tmp_path / "s4", lambda d: d["model"][
            "config"]["layers"][0]["config"].update(size=4)), custom_objects={"Scale": Scale})


# ---- broken and hostile files -------------------------------------------------------------------
@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.minikeras"
    trained_model().save(path)
    return path


def rewrite(src, dst, edit_document=None, replace=None, add=None, compression=zipfile.ZIP_STORED):
    """Copies an archive, editing its JSON or replacing/adding members."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression=compression) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == archive.CONFIG_MEMBER and edit_document:
                doc = json.loads(data)
                edit_document(doc)
                data = json.dumps(doc).encode()
            if replace and name in replace:
                data = replace[name]
            zout.writestr(name, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


class Payload:
    """Unpickling this would create a marker file: proof that code ran."""
    marker = None

    def __reduce__(self):
        return (open, (Payload.marker, "w"))


def npy_bytes(array, allow_pickle=False):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def hostile_cases(good, tmp):
    Payload.marker = str(tmp / "PWNED")
    pickled = npy_bytes(np.array([Payload()], dtype=object), allow_pickle=True)
    cases = {
        "empty": (b"", "empty"),
        "not a zip": (b"hello, I am not a model" * 10, "not a zip"),
        "truncated": (good.read_bytes()[: len(good.read_bytes()) // 2], "not a zip|corrupt"),
        "truncated tail": (good.read_bytes()[:-30], "not a zip|corrupt"),
    }
    for name, (data, match) in cases.items():
        path = tmp / name.replace(" ", "_")
        path.write_bytes(data)
        yield name, path, match
    yield "unknown version", rewrite(good, tmp / "v", lambda d: d.update(format_version=99)), \
        "unknown format version 99"
    yield "pickle in weights", rewrite(good, tmp / "p", replace={"weights/0000.npy": pickled}), \
        "not a plain numeric"
    yield "extra pickle member", rewrite(good, tmp / "x", add={"evil.pkl": pickle.dumps(Payload())}), \
        "unexpected member 'evil.pkl'"
    yield "unknown layer class", rewrite(
        good, tmp / "c",
        lambda d: d["model"]["config"]["layers"][0].update(class_name="os.system")), \
        "unknown layer class 'os.system'"
    yield "unknown activation", rewrite(
        good, tmp / "a",
        lambda d: d["model"]["config"]["layers"][0]["config"].update(activation="__import__")), \
        "activation"
    yield "unknown loss", rewrite(
        good, tmp / "l", lambda d: d["compile"].update(loss="eval")), "eval"
    yield "wrong array shape", rewrite(
        good, tmp / "s", replace={"weights/0000.npy": npy_bytes(np.zeros((2, 2), np.float32))}), \
        r"shape \(3, 6\)"
    yield "bad keyword", rewrite(
        good, tmp / "k",
        lambda d: d["model"]["config"]["layers"][0]["config"].update(evil=1)), "evil"
    deep = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    yield "deeply nested json", rewrite(good, tmp / "d", replace={archive.CONFIG_MEMBER: deep}), \
        "not valid JSON"
    yield "compressed arrays", rewrite(good, tmp / "z", compression=zipfile.ZIP_DEFLATED), \
        "weights/0000.npy is compressed"
    # an architecture far larger than the file's arrays is refused before anything is allocated
    yield "huge units", rewrite(
        good, tmp / "u", lambda d: d["model"]["config"]["layers"][0]["config"].update(
            units=2**40)), r"kernel has shape \(3, 1099511627776\), the file's array 0 has " \
                           r"shape \(3, 6\)"
    yield "huge input", rewrite(
        good, tmp / "i", lambda d: d["model"]["config"].update(
            build_input_shape=[None, 10**12])), r"kernel has shape \(1000000000000, 6\)"
    yield "missing array", rewrite(
        good, tmp / "m", lambda d: d["arrays"].update(weights=d["arrays"]["weights"] + 1)), \
        "do not match"


def test_every_broken_or_hostile_file_is_a_value_error_naming_the_file(good_file, tmp_path):
    for name, path, match in hostile_cases(good_file, tmp_path):
        for load in (mk.models.load_model, trained_model(fit=False).load_weights):
            if load is not mk.models.load_model and name in ("unknown layer class",
                                                             "unknown activation", "unknown loss",
                                                             "bad keyword", "huge units",
                                                             "huge input"):
                continue  # load_weights does not read the architecture
            with pytest.raises(ValueError, match=match) as info:
                load(path)
            assert str(path.name) in str(info.value), name
    assert not os.path.exists(Payload.marker)  # nothing ran


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        mk.models.load_model(tmp_path / "nope.minikeras")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_mutated_files_raise_only_documented_errors(good_file, tmp_path, data):
    raw = bytearray(good_file.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        kind = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        pos = data.draw(st.integers(0, len(raw) - 1))
        if kind == "flip":
            raw[pos] ^= data.draw(st.integers(1, 255))
        elif kind == "cut":
            del raw[pos:pos + data.draw(st.integers(1, 64))]
        else:
            raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=16))
        if not raw:
            raw = bytearray(b"x")
    path = tmp_path / "fuzzed"
    path.write_bytes(bytes(raw))
    try:
        loaded = mk.models.load_model(path)
    except ValueError:
        return  # the documented error; anything else fails the test
    # Accepted: then the damage hit nothing that is read (zip padding, a comment...), and the
    # model is exactly the saved one, never silently different.
    original = mk.models.load_model(good_file)
    assert [w.tolist() for w in loaded.get_weights()] == \
        [w.tolist() for w in original.get_weights()]
    assert loaded.get_config() == original.get_config()


def test_a_bogus_zip_version_is_a_value_error(good_file, tmp_path):
    """Found by the fuzz test: zipfile raises NotImplementedError for an unknown
    "version needed to extract" in the central directory."""
    raw = bytearray(good_file.read_bytes())
    entry = raw.index(b"PK\x01\x02")  # first central-directory record
    raw[entry + 6:entry + 8] = (157).to_bytes(2, "little")  # version 15.7
    path = tmp_path / "bogus_version.minikeras"
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="bogus_version.minikeras.*corrupt"):
        mk.models.load_model(path)


def test_fuzz_valid_json_edits(good_file, tmp_path):
    """Type confusion inside a well-formed archive: every value replaced by odd JSON."""
    odd = [None, 0, -1, 1e308, "", "x", [], {}, [1, 2], {"a": 1}, True]
    doc = json.loads(zipfile.ZipFile(good_file).read(archive.CONFIG_MEMBER))

    def paths(node, prefix=()):
        yield prefix
        if isinstance(node, dict):
            for k, v in node.items():
                yield from paths(v, prefix + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from paths(v, prefix + (i,))

    count = 0
    for p in list(paths(doc))[1:]:
        for value in odd[:: 1 + (len(p) % 3)]:
            def edit(d, p=p, value=value):
                node = d
                for key in p[:-1]:
                    node = node[key]
                node[p[-1]] = value
            target = rewrite(good_file, tmp_path / f"j{count}", edit)
            count += 1
            try:
                mk.models.load_model(target)
            except ValueError:
                pass
    assert count > 100


# ---- atomic writes ------------------------------------------------------------------------------
def test_saved_files_get_the_usual_permissions(tmp_path):
    model = trained_model(fit=False)
    old_umask = os.umask(0o022)
    try:
        model.save(tmp_path / "new.minikeras")
        assert (tmp_path / "new.minikeras").stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
        (tmp_path / "shared.minikeras").write_bytes(b"")
        os.chmod(tmp_path / "shared.minikeras", 0o664)
        model.save(tmp_path / "shared.minikeras")  # overwriting keeps the file's own mode
        assert (tmp_path / "shared.minikeras").stat().st_mode & 0o777 == 0o664
    finally:
        os.umask(old_umask)


def test_a_failure_mid_write_leaves_the_previous_file_intact(good_file, monkeypatch):
    before = good_file.read_bytes()
    calls = {"n": 0}
    real_save = np.save

    def failing_save(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full (injected)")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(np, "save", failing_save)
    with pytest.raises(OSError, match="injected"):
        trained_model(seed=9).save(good_file)
    assert calls["n"] == 3
    assert good_file.read_bytes() == before
    assert os.listdir(good_file.parent) == [good_file.name]  # no temporary file left behind
    mk.models.load_model(good_file)


def test_save_into_missing_folder_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        trained_model(fit=False).save(tmp_path / "no" / "such" / "m")


@pytest.mark.parametrize("make_optimizer", [
    lambda: mk.optimizers.Adam(mk.optimizers.schedules.ExponentialDecay(0.01, 10, 0.9),
                               amsgrad=True, clipnorm=1.0),
    lambda: mk.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    lambda: mk.optimizers.AdamW(0.01, weight_decay=0.01),
])
def test_every_optimizer_state_round_trips(tmp_path, make_optimizer):
    model = trained_model(fit=False)
    model.compile(optimizer=make_optimizer(), loss="binary_crossentropy", metrics=["acc"])
    model.fit(X, Y, batch_size=16, epochs=2, verbose=0)
    model.save(tmp_path / "m")
    loaded = mk.models.load_model(tmp_path / "m")
    assert type(loaded.optimizer) is type(model.optimizer)
    h1 = model.fit(X, Y, batch_size=16, epochs=2, verbose=0).history
    h2 = loaded.fit(X, Y, batch_size=16, epochs=2, verbose=0).history
    assert h1 == h2 and "acc" in h2 and same_weights(model, loaded)
