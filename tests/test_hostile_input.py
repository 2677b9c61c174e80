"""Hostile input, as a careless or malicious user would try it: huge and odd integers, values
beyond float32, complex, object, ragged, empty and mismatched data, odd paths and callbacks.

Each case ends in a clear ValueError/TypeError with the weights and optimizer iterations
unchanged, or in the result keras gives where keras's behaviour is the right one.
"""
import os

import keras
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minikeras as mk
from minikeras.callbacks.callback import CallbackList, callback_list

X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
Y = (X[:, :1] > 0).astype(np.float32)
F32_MAX = float(np.finfo(np.float32).max)
HYPOTHESIS = settings(max_examples=25, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])


def compiled(seed=0, **compile_kw):
    mk.utils.set_random_seed(seed)
    m = mk.Sequential([mk.Input(shape=(3,)), mk.layers.Dense(4, activation="tanh"),
                       mk.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer=mk.optimizers.SGD(0.1, momentum=0.9), loss="binary_crossentropy",
              **compile_kw)
    return m


class Untouched:
    """A fresh compiled model that the refusal tests assert stays as it was."""

    def __init__(self):
        self.model = compiled()
        self.before = self.model.get_weights()

    def check(self):
        for a, b in zip(self.model.get_weights(), self.before):
            np.testing.assert_array_equal(a, b)
        assert int(self.model.optimizer.iterations.numpy()) == 0


@pytest.fixture
def fresh():
    return Untouched()


# ---- batch sizes beyond the data: one batch of all of it (keras) ------------------------------
@pytest.fixture(scope="module")
def one_batch_of_all():
    """History, evaluate and predict of a fit whose batch is exactly all the data."""
    ref = compiled()
    history = ref.fit(X, Y, batch_size=40, epochs=2, verbose=0, shuffle=False,
                      validation_split=0.25).history
    return history, ref.evaluate(X, Y, batch_size=40, verbose=0), \
        ref.predict(X, batch_size=40, verbose=0)


@pytest.mark.parametrize("batch_size", [41, 2**31 - 1, 2**31, 2**32, 2**32 + 8, 10**12,
                                        np.int64(2**40), 10**30])
def test_a_batch_larger_than_the_data_is_one_batch(batch_size, one_batch_of_all):
    expected, evaluated, predicted = one_batch_of_all
    ours = compiled()
    got = ours.fit(X, Y, batch_size=batch_size, epochs=2, verbose=0, shuffle=False,
                   validation_split=0.25).history
    assert got == expected
    assert int(ours.optimizer.iterations.numpy()) == 2
    assert ours.evaluate(X, Y, batch_size=batch_size, verbose=0) == evaluated
    np.testing.assert_array_equal(ours.predict(X, batch_size=batch_size, verbose=0), predicted)
    # and validation_data with the same huge batch size (also several epochs per call)
    h = compiled().fit(X, Y, batch_size=batch_size, epochs=2, verbose=0, shuffle=False,
                       validation_data=(X[:10], Y[:10])).history
    assert len(h["val_loss"]) == 2 and np.isfinite(h["val_loss"]).all()


def test_a_batch_larger_than_the_data_matches_keras():
    keras.utils.set_random_seed(0)
    ref = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")])
    ref.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    ours = mk.Sequential([mk.Input(shape=(3,)), mk.layers.Dense(1, activation="sigmoid")])
    ours.compile(optimizer=mk.optimizers.SGD(0.1), loss="binary_crossentropy")
    ours.set_weights(ref.get_weights())
    h_ref = ref.fit(X, Y, batch_size=1000, epochs=3, verbose=0, shuffle=False).history
    h_ours = ours.fit(X, Y, batch_size=10**12, epochs=3, verbose=0, shuffle=False).history
    np.testing.assert_allclose(h_ours["loss"], h_ref["loss"], rtol=1e-5)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("batch_size", [0, -1, 1.5, True, "32", 2**31 * 1.0])
def test_a_batch_size_that_is_no_positive_int_is_refused(fresh, batch_size):
    model = fresh.model
    for call in (lambda: model.fit(X, Y, batch_size=batch_size, verbose=0),
                 lambda: model.fit(X, Y, batch_size=batch_size, verbose=0,
                                   validation_split=0.5),
                 lambda: model.evaluate(X, Y, batch_size=batch_size, verbose=0),
                 lambda: model.predict(X, batch_size=batch_size, verbose=0)):
        with pytest.raises(ValueError, match="batch_size"):
            call()
    fresh.check()


# ---- values beyond float32 ------------------------------------------------------------------
@HYPOTHESIS
@given(data=st.data())
def test_values_beyond_float32_are_refused_with_their_index(fresh, data):
    model = fresh.model
    where = data.draw(st.sampled_from(["x", "y", "sample_weight", "val_x", "predict_x"]))
    big = data.draw(st.floats(min_value=F32_MAX * (1 + 1e-6), max_value=1.7e308))
    big = big if where in ("sample_weight", "y") else big * data.draw(st.sampled_from([1, -1]))
    dtype = data.draw(st.sampled_from([np.float64, np.longdouble]))
    x, y, sw = X.astype(dtype), Y.astype(dtype), np.ones(40, dtype)
    target = {"x": x, "val_x": x, "predict_x": x, "y": y, "sample_weight": sw}[where]
    index = tuple(data.draw(st.integers(0, s - 1)) for s in target.shape)
    target[index] = big
    arg = {"val_x": "x", "predict_x": "x"}.get(where, where)
    with pytest.raises(ValueError, match=rf"`{arg}`.*float32.*index \({index[0]}"):
        if where == "val_x":
            model.fit(X, Y, validation_data=(x, Y), verbose=0)
        elif where == "predict_x":
            model.predict(x, verbose=0)
        else:
            model.fit(x, y, sample_weight=sw, verbose=0)
    if where != "predict_x":
        with pytest.raises(ValueError, match="float32"):
            model.evaluate(x, y, sample_weight=sw, verbose=0)
    fresh.check()


def test_the_issue_example_and_the_largest_float32_values(fresh):
    model = fresh.model
    with pytest.raises(ValueError, match=r"`x` contains 120 value\(s\) beyond float32.*row 0"):
        model.fit(np.full((40, 3), 1e39), Y, verbose=0)
    fresh.check()
    fine = np.full((40, 3), F32_MAX, np.float64)  # exactly representable: no error
    assert model.predict(fine, verbose=0).shape == (40, 1)


# ---- numbers of the wrong kind ----------------------------------------------------------------
@pytest.mark.parametrize("where", ["x", "y", "sample_weight"])
@pytest.mark.parametrize("value, error, message", [
    (lambda a: a.astype(np.complex64), TypeError, "real numbers.*complex"),
    (lambda a: a.astype(np.complex128) + 1j, TypeError, "real numbers.*complex"),
    (lambda a: a.astype(object), TypeError, "hold numbers"),
    (lambda a: a.astype(str), TypeError, "hold numbers"),
    (lambda a: a.astype("datetime64[s]"), TypeError, "hold numbers"),
    (lambda a: np.full(a.shape, 2**70, object).tolist(), ValueError, "too large"),
    (lambda a: [[1.0]] * (len(a) - 1) + [[1.0, 2.0]], ValueError, "convert"),
    (lambda a: a[:0], ValueError, r"at least one sample|same number|shape \(40,\)"),
    (lambda a: a[:-1], ValueError, r"same number|shape \(40,\)"),
])
def test_wrong_kinds_of_numbers_are_refused(fresh, where, value, error, message):
    model = fresh.model
    args = {"x": X, "y": Y, "sample_weight": np.ones(40, np.float32)}
    args[where] = value(args[where])
    with pytest.raises(error, match=message):
        model.fit(args["x"], args["y"], sample_weight=args["sample_weight"], verbose=0)
    with pytest.raises(error, match=message):
        model.evaluate(args["x"], args["y"], sample_weight=args["sample_weight"], verbose=0)
    fresh.check()


@HYPOTHESIS
@given(ints=st.lists(st.integers(min_value=-2**63, max_value=2**63 - 1), min_size=3,
                     max_size=3))
def test_huge_and_odd_integers_predict_as_their_float32_values(fresh, ints):
    model = fresh.model
    x = np.array([ints], np.int64)
    expected = model.predict(x.astype(np.float32), verbose=0)
    np.testing.assert_array_equal(model.predict(x, verbose=0), expected)
    fresh.check()


# ---- paths ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path, message", [
    ("", "to name a file"), (".", "not a folder"), ("sub", "not a folder"),
    ("sub/", "not a folder"), ("m.h5", r"'\.h5'.*\.minikeras"),
    ("m.HDF5", r"'\.hdf5'"), ("m.pkl", "pickle"),
])
def test_bad_save_paths_are_refused_before_anything_is_written(fresh, tmp_path, monkeypatch,
                                                                path, message):
    model = fresh.model
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    monkeypatch.chdir(work)
    for save in (model.save, model.save_weights):
        with pytest.raises(ValueError, match=message):
            save(path)
    assert sorted(os.listdir(tmp_path)) == ["work"]
    assert sorted(os.listdir(work)) == ["sub"] and os.listdir(work / "sub") == []


def test_a_keras_file_name_is_for_whole_models(fresh, tmp_path):
    """model.save writes keras's .keras zip there (test_keras_format.py); save_weights
    refuses it, as keras does, naming the suffixes it writes."""
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        fresh.model.save_weights(tmp_path / "m.keras")
    assert os.listdir(tmp_path) == []


def test_accepted_paths_still_write(fresh, tmp_path):
    model = fresh.model
    for name in ("m.minikeras", "m", "m.x", "model.zip"):
        model.save(tmp_path / name)
        mk.models.load_model(tmp_path / name)
    with pytest.raises(TypeError, match="filepath"):
        model.save(3)


def test_a_checkpoint_with_a_foreign_suffix_fails_before_training(tmp_path):
    model = compiled()
    with pytest.raises(ValueError, match=r"'\.h5'"):
        model.fit(X, Y, epochs=2, verbose=0,
                  callbacks=[mk.callbacks.ModelCheckpoint(str(tmp_path / "{epoch}.h5"))])
    assert int(model.optimizer.iterations.numpy()) == 0 and os.listdir(tmp_path) == []


@HYPOTHESIS
@given(raw=st.binary(max_size=300))
def test_random_bytes_never_load(fresh, tmp_path, raw):
    model = fresh.model
    path = tmp_path / "random.minikeras"
    path.write_bytes(raw)
    for load in (mk.models.load_model, model.load_weights):
        with pytest.raises(ValueError, match="random.minikeras"):
            load(path)
    fresh.check()


# ---- callbacks --------------------------------------------------------------------------------
def test_callback_list_accepts_one_callback_and_names_callbacks_otherwise(fresh):
    model = fresh.model
    history = mk.callbacks.History()
    assert callback_list(history) == [history] and callback_list(None) == []
    assert CallbackList(history, model, {}).callbacks == [history]
    for bad in (5, "history", {"h": history}, mk.callbacks.History, [history, 3],
                history.on_epoch_end):
        with pytest.raises(TypeError, match="`callbacks`"):
            callback_list(bad)


def _fit(model, callbacks):
    return model.fit(X, Y, epochs=2, verbose=0, callbacks=callbacks)


def test_fit_with_one_callback_not_in_a_list():
    model, seen = compiled(), []
    _fit(model, mk.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e)))
    assert seen == [0, 1]


def test_fit_with_callbacks_that_are_not_callbacks():
    model = compiled()
    with pytest.raises(TypeError, match="`callbacks`"):
        _fit(model, 5)
    with pytest.raises(TypeError, match="`callbacks`"):
        model.fit(X, Y, verbose=0, callbacks=["history"])
    assert int(model.optimizer.iterations.numpy()) == 0


def test_early_stopping_on_an_unknown_name_fails_before_training():
    model = compiled(metrics=["accuracy"])
    with pytest.raises(ValueError, match=r"monitor='nonsense'.*Available: loss, accuracy, "
                                         r"val_loss, val_accuracy"):
        model.fit(X, Y, epochs=3, verbose=0,
                  callbacks=[mk.callbacks.EarlyStopping(monitor="nonsense")])
    assert int(model.optimizer.iterations.numpy()) == 0
    for monitor in ("loss", "val_accuracy"):  # known names still train
        model.fit(X, Y, epochs=1, verbose=0, validation_split=0.25,
                  callbacks=[mk.callbacks.EarlyStopping(monitor=monitor)])
    with pytest.warns(UserWarning, match="not available"):  # explicit mode: keras's warning
        model.fit(X, Y, epochs=1, verbose=0,
                  callbacks=[mk.callbacks.EarlyStopping(monitor="nonsense", mode="min")])
