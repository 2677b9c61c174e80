"""The compiled engine: trace counts, steps_per_execution, XLA, datasets and generators, all
giving the same numbers as the per-step path."""
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk
from minikeras import layers
from minikeras.engine.graph_blocks import shuffled_order

rng = np.random.default_rng(0)
X = rng.normal(size=(67, 3)).astype(np.float32)
Y = np.digitize(X[:, 0] - X[:, 1], [-0.7, 0.7]).astype(np.float32)
START = None


def make(spe="auto", jit=False, lr=0.1, **compile_kw):
    global START
    model = mk.Sequential([mk.Input(shape=(3,)), layers.Dense(6, activation="tanh"),
                           layers.Dense(3, activation="softmax")])
    if START is None:
        START = model.get_weights()
    model.set_weights(START)
    model.compile(optimizer=mk.optimizers.SGD(lr, momentum=0.9, nesterov=True),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  steps_per_execution=spe, jit_compile=jit, **compile_kw)
    return model


def fit(model, *args, **kwargs):
    kwargs = {"batch_size": 16, "epochs": 3, "shuffle": False, "verbose": 0, **kwargs}
    return model.fit(*args, **kwargs).history


def assert_same(model_a, model_b, ha, hb, tol=0.0):
    assert sorted(ha) == sorted(hb)
    for k in ha:
        np.testing.assert_allclose(ha[k], hb[k], rtol=tol, atol=tol, err_msg=k)
    for a, b in zip(model_a.get_weights(), model_b.get_weights()):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_traces_are_bounded_across_epochs_partial_batches_batch_sizes_and_lr_changes():
    """Data that divides into full batches gets a static-shape function (for the first such
    batch size a kind of step sees); everything else shares one dynamic-shape function."""
    model = make(spe=2)
    fit(model, X, Y, epochs=5, validation_data=(X[:10], Y[:10]), shuffle=True)
    assert model.trace_counts == {"train": 1, "test": 1}  # 67 rows: dynamic; 10 rows: static
    model.optimizer.learning_rate = 0.01
    fit(model, X, Y, epochs=3, validation_split=0.3, batch_size=16)  # 21 rows: dynamic
    model.evaluate(X, Y, verbose=0)
    model.evaluate(X[:40], Y[:40], batch_size=7, verbose=0)
    model.evaluate(X[:30], Y[:30], batch_size=10, verbose=0)  # the static function again
    assert model.trace_counts == {"train": 1, "test": 2}
    fit(model, X[:60], Y[:60], epochs=2, batch_size=5)  # static, for training
    fit(model, X[:60], Y[:60], epochs=2, batch_size=6)  # another size: the dynamic function
    assert model.trace_counts == {"train": 2, "test": 2}


def test_auto_and_fixed_steps_per_execution_match_the_per_step_path():
    reference = make(spe=1)
    h1 = fit(reference, X, Y)
    for spe in ("auto", 4, 1000):
        model = make(spe=spe)
        assert_same(model, reference, fit(model, X, Y), h1)


def test_xla_matches_within_1e5():
    reference = make(jit=False)
    h1 = fit(reference, X, Y)
    model = make(jit=True)
    assert model.jit_compile is True
    assert_same(model, reference, fit(model, X, Y), h1, tol=1e-5)


def test_jit_auto_is_off_without_gpu():
    if tf.config.list_logical_devices("GPU"):
        pytest.skip("a GPU is visible")
    assert make(jit="auto").jit_compile is False


def test_dataset_input_matches_arrays():
    reference = make()
    h1 = fit(reference, X, Y)
    model = make()
    dataset = tf.data.Dataset.from_tensor_slices((X, Y)).batch(16)
    h2 = model.fit(dataset, epochs=3, verbose=0).history
    assert_same(model, reference, h2, h1)
    np.testing.assert_allclose(model.evaluate(dataset, verbose=0),
                               reference.evaluate(X, Y, batch_size=16, verbose=0), rtol=1e-6)
    np.testing.assert_array_equal(model.predict(dataset.map(lambda x, y: x), verbose=0),
                                  reference.predict(X, batch_size=16, verbose=0))
    assert model.trace_counts["train"] == 1


def test_dataset_with_sample_weights_matches_arrays():
    w = rng.uniform(0.5, 2, len(X)).astype(np.float32)
    reference = make()
    h1 = fit(reference, X, Y, sample_weight=w)
    model = make()
    h2 = model.fit(tf.data.Dataset.from_tensor_slices((X, Y, w)).batch(16), epochs=3,
                   verbose=0).history
    assert_same(model, reference, h2, h1)


def test_generator_with_steps_per_epoch():
    def batches():
        while True:
            for start in range(0, 64, 16):
                yield X[start:start + 16], Y[start:start + 16]

    reference = make()
    h1 = fit(reference, X[:64], Y[:64])
    model = make()
    h2 = model.fit(batches(), steps_per_epoch=4, epochs=3, verbose=0).history
    assert_same(model, reference, h2, h1)


def test_finite_generator_running_out_stops_with_a_warning():
    gen = ((X[i:i + 16], Y[i:i + 16]) for i in range(0, 48, 16))
    model = make()
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(gen, steps_per_epoch=2, epochs=5, verbose=0)
    assert len(history.history["loss"]) == 2  # 3 batches: epoch 1 full, epoch 2 partial, then none


def test_dataset_bad_arguments():
    model = make()
    dataset = tf.data.Dataset.from_tensor_slices((X, Y)).batch(8)
    with pytest.raises(ValueError, match="`y` must be None"):
        model.fit(dataset, Y, verbose=0)
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(dataset, batch_size=4, verbose=0)
    with pytest.raises(ValueError, match="dataset.batch"):
        model.fit(tf.data.Dataset.from_tensor_slices((X, Y)), verbose=0)
    with pytest.raises(ValueError, match=r"expected shape=\(None, 3\)"):
        model.fit(tf.data.Dataset.from_tensor_slices((X[:, :2], Y)).batch(8), verbose=0)


class BatchCounter(mk.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.ends = []

    def on_train_batch_end(self, batch, logs=None):
        self.ends.append(batch)


def test_batch_hooks_fire_every_batch_under_auto_and_every_k_with_an_int():
    counter = BatchCounter()
    fit(make(spe="auto"), X, Y, epochs=1, callbacks=[counter])
    assert counter.ends == [0, 1, 2, 3, 4]
    counter = BatchCounter()
    fit(make(spe=2), X, Y, epochs=1, callbacks=[counter])
    assert counter.ends == [1, 3, 4]


def test_predict_small_input_runs_eagerly_and_model_call_stays_eager():
    model = make()
    out = model.predict(X[:5], verbose=0)
    np.testing.assert_allclose(out, model(X[:5]).numpy(), rtol=1e-6)
    assert "predict" not in model.trace_counts
    for _ in range(3):  # a plain Python loop over eager calls
        assert model(X[:2]).shape == (2, 3)
    assert tf.executing_eagerly()


def test_predict_in_chunks_traces_once():
    model = make(spe=3)
    big = np.repeat(X, 5, axis=0)
    a = model.predict(big, batch_size=16, verbose=0)
    b = model.predict(big[:100], batch_size=9, verbose=0)
    np.testing.assert_allclose(a, model(big).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b, a[:100], rtol=1e-5, atol=1e-6)
    assert model.trace_counts["predict"] == 1


def test_shuffle_gives_a_new_order_each_epoch_reproducible_from_the_seed():
    orders = []
    for _ in range(2):
        mk.utils.set_random_seed(11)
        model = make()
        generator = model.training_state.shuffle_generator
        orders.append([shuffled_order(generator, 10).numpy().tolist() for _ in range(3)])
    assert orders[0] == orders[1]                  # reproducible from the seed
    assert len({tuple(o) for o in orders[0]}) == 3  # a new permutation every epoch
    assert sorted(orders[0][0]) == list(range(10))


def test_seeded_shuffled_fit_is_reproducible_and_differs_from_unshuffled():
    results = []
    for _ in range(2):
        mk.utils.set_random_seed(3)
        model = make()
        results.append(fit(model, X, Y, shuffle=True))
    assert results[0] == results[1]
    assert results[0] != fit(make(), X, Y, shuffle=False)


def test_epoch_groups_without_callbacks_match_epoch_by_epoch():
    """No callbacks, no validation: several epochs per call, identical numbers."""
    results = []
    for callbacks in (None, [mk.callbacks.Callback()]):  # an empty Callback forces per-epoch
        mk.utils.set_random_seed(8)
        model = make()
        h = model.fit(X, Y, batch_size=16, epochs=30, shuffle=True, verbose=0,
                      callbacks=callbacks).history
        results.append((h, model.get_weights(), dict(model.trace_counts)))
    (h1, w1, t1), (h2, w2, t2) = results
    assert t1 == {"train_epochs": 1} and t2 == {"train": 1}
    assert h1 == h2 and len(h1["loss"]) == 30
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("fit_kw", [
    {"validation_split": 0.3, "validation_freq": 1},
    {"validation_data": (X[:13], Y[:13]), "validation_freq": 3, "validation_batch_size": 5},
    {"validation_split": 0.25, "sample_weight": np.linspace(0.5, 2, len(X), dtype="float32")},
])
def test_epoch_groups_validate_inside_the_call_as_epoch_by_epoch(fit_kw):
    """Validation arrays in memory: the groups run each epoch's validation pass in the same
    compiled call, with the logs, weights and final metric state of epoch-by-epoch fit."""
    results = []
    for callbacks in (None, [mk.callbacks.Callback()]):
        mk.utils.set_random_seed(8)
        model = make()
        h = model.fit(X, Y, batch_size=16, epochs=7, shuffle=True, verbose=0,
                      callbacks=callbacks, **fit_kw).history
        results.append((h, model.get_weights(), dict(model.trace_counts),
                        [float(m.result()) for m in model.metrics]))
    (h1, w1, t1, m1), (h2, w2, t2, m2) = results
    assert t1 == {"train_epochs": 1} and t2 == {"train": 1, "test": 1}
    freq = fit_kw["validation_freq"] if "validation_freq" in fit_kw else 1
    assert len(h1["val_loss"]) == 7 // freq
    assert h1 == h2 and m1 == m2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)


def test_epoch_groups_also_serve_verbose_2_the_auto_of_scripts(capsys):
    mk.utils.set_random_seed(8)
    model = make()
    h = model.fit(X, Y, batch_size=16, epochs=30, verbose=2).history
    assert dict(model.trace_counts) == {"train_epochs": 1}
    lines = [l for l in capsys.readouterr().out.splitlines() if l.startswith("Epoch ")]
    assert len(lines) == 30 and lines[-1].startswith("Epoch 30/30 - ")
    assert f"loss: {h['loss'][-1]:.4f}" in lines[-1]
    mk.utils.set_random_seed(8)
    assert make().fit(X, Y, batch_size=16, epochs=30, verbose=0).history == h


# ---- "auto" sizing --------------------------------------------------------------------------
def test_auto_sizes_calls_from_the_last_untraced_call(monkeypatch):
    from minikeras.engine import runner
    sizer, traces = runner.ChunkSizer(), [0]
    clock = iter([10.0, 10.5])  # a call of 100 steps that took 0.5 s: 5 ms a step
    monkeypatch.setattr(runner.time, "perf_counter", lambda: next(clock))
    done, _ = sizer.timed(lambda: traces[0], "train", lambda: (100, tf.zeros(2)))
    assert done == 100
    assert sizer.size("auto", "train", False) == round(runner.AUTO_CALL_SECONDS / 0.005)  # 40
    assert sizer.size("auto", "test", False) == 1  # a training step says nothing of a test step
    assert sizer.size("auto", "train", True) == 1  # per-batch hooks: one step per call
    assert sizer.size(7, "train", False) == 7

    def tracing_call():  # a call that traced tells nothing about the step's speed
        traces[0] += 1
        return 100, tf.zeros(2)
    clock = iter([0.0, 50.0])
    sizer.timed(lambda: traces[0], "train", tracing_call)
    assert sizer.size("auto", "train", False) == 40


def test_auto_runs_many_steps_per_call_and_per_batch_hooks_force_one(monkeypatch):
    from minikeras.engine.steps import CompiledSteps
    calls = []
    real_run = CompiledSteps.run

    def counting_run(self, kind, data, first_step, count, reset):
        calls.append((kind, count))
        return real_run(self, kind, data, first_step, count, reset)
    monkeypatch.setattr(CompiledSteps, "run", counting_run)
    x = np.tile(X, (30, 1))  # 2010 rows: 126 batches of 16
    y = np.tile(Y, 30)
    model = make()
    model.fit(x, y, batch_size=16, epochs=2, verbose=0, validation_data=(X, Y),
              callbacks=[mk.callbacks.Callback()])  # a callback: epoch by epoch, in chunks
    train_calls = [c for k, c in calls if k == "train"]
    assert sum(train_calls) == 2 * 126
    assert len(train_calls) < 30  # tiny steps: "auto" packs many into each call
    calls.clear()
    model.fit(x, y, batch_size=16, epochs=1, verbose=0,
              callbacks=[mk.callbacks.LambdaCallback(on_train_batch_end=lambda b, l: None)])
    assert [c for k, c in calls if k == "train"] == [1] * 126


# ---- structure changes --------------------------------------------------------------------------
def test_add_or_pop_after_fit_forgets_the_compiled_functions():
    model = make()
    fit(model, X, Y, epochs=1)
    assert model.predict(X, batch_size=16).shape == (67, 3)
    model.pop()
    model.add(layers.Dense(2, activation="softmax"))
    assert model.predict(X, batch_size=16).shape == (67, 2)  # not the old function's output
    np.testing.assert_allclose(model.predict(X, batch_size=16), model(X).numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="layers changed.*compile"):
        fit(model, X, np.minimum(Y, 1), epochs=1)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    fit(model, X, np.minimum(Y, 1), epochs=1)
