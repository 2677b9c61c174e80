"""Nadam, Adamax, Adadelta, Lion and Ftrl against keras: 40 eager steps bit for bit and 200
compiled steps within 1e-6, every state variable in keras's order, config, names, validation,
save/load and fit."""
import keras
import numpy as np
import pytest
import tensorflow as tf
from optimizer_parity import START, assert_same, compiled_both, grads_fn, run_both

import minikeras as mk
from minikeras import optimizers
from minikeras.optimizers import (
    Adadelta,
    Adamax,
    Ftrl,
    Lion,
    Nadam,
    adadelta_step,
    adamax_step,
    lion_step,
    schedules,
)

exp = lambda lib: lib.optimizers.schedules.ExponentialDecay(0.05, decay_steps=7, decay_rate=0.5)
CONFIGS = {
    "nadam": lambda lib: lib.optimizers.Nadam(0.01),
    "nadam-defaults": lambda lib: lib.optimizers.Nadam(),
    "nadam-betas-decay-clipnorm": lambda lib: lib.optimizers.Nadam(
        0.02, beta_1=0.5, beta_2=0.9, epsilon=1e-3, weight_decay=0.1, clipnorm=0.5),
    "nadam-schedule": lambda lib: lib.optimizers.Nadam(exp(lib), global_clipnorm=0.7),
    "adamax": lambda lib: lib.optimizers.Adamax(0.01),
    "adamax-defaults": lambda lib: lib.optimizers.Adamax(),
    "adamax-betas-clipvalue": lambda lib: lib.optimizers.Adamax(
        0.02, beta_1=0.6, beta_2=0.8, epsilon=1e-4, clipvalue=0.3),
    "adadelta": lambda lib: lib.optimizers.Adadelta(1.0),
    "adadelta-defaults": lambda lib: lib.optimizers.Adadelta(),
    "adadelta-rho-decay": lambda lib: lib.optimizers.Adadelta(0.5, rho=0.7, epsilon=1e-5,
                                                              weight_decay=0.05),
    "lion": lambda lib: lib.optimizers.Lion(0.003),
    "lion-defaults": lambda lib: lib.optimizers.Lion(),
    "lion-betas-schedule": lambda lib: lib.optimizers.Lion(exp(lib), beta_1=0.5, beta_2=0.9),
    "ftrl": lambda lib: lib.optimizers.Ftrl(0.1),
    "ftrl-defaults": lambda lib: lib.optimizers.Ftrl(),
    "ftrl-regularized": lambda lib: lib.optimizers.Ftrl(
        0.05, learning_rate_power=-0.3, initial_accumulator_value=0.5,
        l1_regularization_strength=0.01, l2_regularization_strength=0.02,
        l2_shrinkage_regularization_strength=0.03, beta=0.1),
    "ftrl-fixed-rate": lambda lib: lib.optimizers.Ftrl(0.02, learning_rate_power=0.0,
                                                       clipnorm=1.0),
}
STEPS = 40  # eager steps are slow (~30 ms each in both libraries); bit for bit, 40 cover
# six periods of the schedules' decay and the bias corrections' early, fast-changing part
@pytest.mark.parametrize("config", [c for c in CONFIGS if not c.endswith("-defaults")])
def test_matches_keras_bit_for_bit_every_step(config):
    k_opt, m_opt = run_both(CONFIGS[config], STEPS)
    ours, theirs = m_opt.variables, k_opt.variables
    assert len(ours) == len(theirs)
    assert_same([v.numpy() for v in ours], [v.numpy() for v in theirs], "final state")
    assert int(m_opt.iterations.numpy()) == STEPS


@pytest.mark.parametrize("config", ["nadam-betas-decay-clipnorm", "adamax", "adadelta",
                                    "lion", "ftrl-regularized"])
def test_none_gradients_are_skipped_like_keras(config):
    with pytest.warns(UserWarning):
        run_both(CONFIGS[config], steps=20, mask=[True, False, True])


@pytest.mark.parametrize("config", [c for c in CONFIGS if not c.endswith("-defaults")])
def test_200_compiled_steps_match_keras(config):
    ours, theirs = compiled_both(CONFIGS[config])
    assert_same(ours, theirs, "after 200 compiled steps", rtol=1e-6, atol=1e-7)


def test_variable_order_matches_keras():
    w, b = tf.Variable([1.0, 2.0], name="w"), tf.Variable(3.0, name="b")
    expected = {
        Nadam: ["w_momentum", "w_velocity", "b_momentum", "b_velocity", "u_product"],
        Adamax: ["w_momentum", "w_norm", "b_momentum", "b_norm"],
        Adadelta: ["w_accumulated_grad", "w_accumulated_delta_var", "b_accumulated_grad",
                   "b_accumulated_delta_var"],
        Lion: ["w_momentum", "b_momentum"],
        Ftrl: ["w_accumulator", "w_linear", "b_accumulator", "b_linear"],
    }
    for cls, names in expected.items():
        opt = cls()
        assert len(opt.variables) == 2  # iterations, learning_rate before build
        opt.build([w, b])
        assert [v.name.split(":")[0] for v in opt.variables] == ["iterations", "learning_rate",
                                                                 *names]
        k_opt = getattr(keras.optimizers, cls.__name__)()
        k_opt.build([keras.Variable([1.0, 2.0]), keras.Variable(3.0)])
        assert [tuple(v.shape) for v in opt.variables] == [tuple(v.shape) for v in k_opt.variables]
        assert_same([v.numpy() for v in opt.variables], [v.numpy() for v in k_opt.variables],
                    f"{cls.__name__} initial state")


def test_pure_steps_by_hand():
    g, m, u = tf.constant([2.0]), tf.constant([1.0]), tf.constant([3.0])
    dec, m2, u2 = adamax_step(g, m, u, tf.constant(0.1), tf.constant(1), 0.9, 0.5, 0.0)
    np.testing.assert_allclose(m2, [1.1]), np.testing.assert_allclose(u2, [2.0])
    np.testing.assert_allclose(dec, [0.1 * 1.1 / (0.1 * 2.0)], rtol=1e-6)
    inc, ag, ad = adadelta_step(g, tf.constant([0.0]), tf.constant([0.0]), tf.constant(1.0),
                                0.5, 1e-7)
    np.testing.assert_allclose(ag, [2.0])
    np.testing.assert_allclose(inc, [-(1e-7 ** 0.5) * 2 / (2 + 1e-7) ** 0.5], rtol=1e-5)
    np.testing.assert_allclose(ad, 0.5 * inc.numpy() ** 2, rtol=1e-5)
    dec, m2 = lion_step(tf.constant([2.0, -1.0]), tf.constant([-1.0, 0.0]), tf.constant(0.1))
    np.testing.assert_allclose(dec, [-0.1, -0.1])  # sign(-0.9 + 0.2), sign(-0.1)
    np.testing.assert_allclose(m2, [-0.99 + 0.02, -0.01], rtol=1e-6)


@pytest.mark.parametrize("config", list(CONFIGS))
def test_config_round_trip_and_keras_keys(config):
    opt = CONFIGS[config](mk)
    cfg = opt.get_config()
    again = type(opt).from_config(cfg)
    assert again.get_config() == cfg and type(again) is type(opt)
    assert optimizers.deserialize(optimizers.serialize(opt)).get_config() == cfg
    k_opt = CONFIGS[config](keras)
    k_cfg = k_opt.get_config()
    assert set(cfg) <= set(k_cfg)
    for key, value in cfg.items():
        if key not in ("name", "learning_rate"):
            assert value == pytest.approx(k_cfg[key]), key
    loaded = optimizers.get({"class_name": type(opt).__name__, "config": k_cfg})
    assert type(loaded) is type(opt)


@pytest.mark.parametrize("name", ["nadam", "adamax", "adadelta", "lion", "ftrl", "Nadam",
                                  "ADAMAX"])
def test_get_by_name_with_keras_defaults(name):
    opt = optimizers.get(name)
    assert type(opt).__name__.lower() == name.lower()
    assert opt.name.startswith(name.lower())
    k_cfg = keras.optimizers.get(name).get_config()
    for key, value in opt.get_config().items():
        if key != "name":
            assert value == pytest.approx(k_cfg[key]), key


@pytest.mark.parametrize("cls,kwargs,match", [
    (Nadam, dict(beta_1=1.0), "beta_1"), (Nadam, dict(epsilon=0.0), "epsilon"),
    (Adamax, dict(beta_2=-0.1), "beta_2"), (Adamax, dict(learning_rate=-1.0), "learning_rate"),
    (Adadelta, dict(rho=1.5), "rho"), (Adadelta, dict(epsilon=-1.0), "epsilon"),
    (Lion, dict(beta_1=0.0), "degenerates to SignSGD"), (Lion, dict(beta_1=1.5), "beta_1"),
    (Lion, dict(beta_2=1.0), "beta_2"),
    (Ftrl, dict(initial_accumulator_value=-0.1), "initial_accumulator_value"),
    (Ftrl, dict(learning_rate_power=0.5), "needs to be negative or zero"),
    (Ftrl, dict(l1_regularization_strength=-1.0), "l1_regularization_strength"),
    (Ftrl, dict(l2_regularization_strength=float("nan")), "l2_regularization_strength"),
    (Ftrl, dict(l2_shrinkage_regularization_strength=-1.0), "l2_shrinkage"),
    (Ftrl, dict(beta=-1.0), "beta"),
])
def test_argument_validation(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


# ---- fit, save and load ---------------------------------------------------------------------
N, FEATURES = 67, 3
data_rng = np.random.default_rng(1)
X = data_rng.normal(size=(N, FEATURES)).astype(np.float32)
Y = X @ np.array([[0.5], [-1.0], [2.0]], np.float32)


def models_pair():
    ref = keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(5, activation="tanh"),
                            keras.layers.Dense(1)])
    ours = mk.Sequential([mk.Input(shape=(FEATURES,)), mk.layers.Dense(5, activation="tanh"),
                          mk.layers.Dense(1)])
    ours.set_weights(ref.get_weights())
    return ours, ref


@pytest.mark.parametrize("name", ["nadam", "adamax", "adadelta", "lion", "ftrl"])
def test_fit_by_name_matches_keras(name):
    ours, ref = models_pair()
    ref.compile(optimizer=name, loss="mse")
    ours.compile(optimizer=name, loss="mse")
    kwargs = dict(batch_size=16, epochs=4, shuffle=False, verbose=0)
    h_ref, h_ours = ref.fit(X, Y, **kwargs).history, ours.fit(X, Y, **kwargs).history
    np.testing.assert_allclose(h_ours["loss"], h_ref["loss"], rtol=1e-5, atol=1e-6)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert int(ours.optimizer.iterations.numpy()) == 20


@pytest.mark.parametrize("config", ["nadam-betas-decay-clipnorm", "adamax", "adadelta",
                                    "lion", "ftrl-regularized"])
def test_save_and_load_keeps_slots_and_continues_identically(config, tmp_path):
    ours, _ = models_pair()
    ours.compile(optimizer=CONFIGS[config](mk), loss="mse")
    ours.fit(X, Y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    path = str(tmp_path / "m.minikeras")
    ours.save(path)
    loaded = mk.models.load_model(path)
    assert type(loaded.optimizer) is type(ours.optimizer)
    assert loaded.optimizer.get_config() == ours.optimizer.get_config()
    assert_same([v.numpy() for v in loaded.optimizer.variables],
                [v.numpy() for v in ours.optimizer.variables], "loaded optimizer state")
    for model in (ours, loaded):
        model.fit(X, Y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    assert_same(loaded.get_weights(), ours.get_weights(), "after one more epoch")
    assert_same([v.numpy() for v in loaded.optimizer.variables],
                [v.numpy() for v in ours.optimizer.variables], "optimizer after one more epoch")


def test_nadam_under_mirrored_strategy_matches_one_device():
    results = []
    for strategy in (None, tf.distribute.MirroredStrategy(["/cpu:0"])):
        scope = strategy.scope() if strategy else tf.init_scope()
        with scope:
            variables = [tf.Variable(v) for v in START]
            opt = Nadam(0.01)
            opt.build(variables)

        def step(t, opt=opt, variables=variables):
            grads = [tf.constant(g) for g in grads_fn(t, [v.numpy() for v in variables])]
            opt.apply(grads, variables)

        for t in range(10):
            if strategy:
                strategy.run(step, args=(t,))
            else:
                step(t)
        results.append([v.numpy() for v in opt.variables])
    assert_same(results[1], results[0], "mirrored vs one device", rtol=1e-6, atol=1e-7)


def test_schedule_works_with_every_new_optimizer():
    for cls in (Nadam, Adamax, Adadelta, Lion, Ftrl):
        opt = cls(schedules.ExponentialDecay(0.1, 10, 0.5))
        w = tf.Variable([1.0, 2.0])
        opt.apply([tf.constant([0.5, -0.5])], [w])
        assert int(opt.iterations.numpy()) == 1 and opt.variables[0] is opt.iterations
