"""Adam, AdamW, RMSprop, Adagrad and the shared optimizer arguments (clipping, weight decay,
schedules), step by step against keras on the same inputs; contract, config and fit parity."""
import math
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
from optimizer_parity import START, assert_same, compiled_both, grads_fn, run_both

import minikeras as mk
from minikeras import optimizers
from minikeras.optimizers import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    RMSprop,
    adagrad_step,
    adam_step,
    clipping,
    rmsprop_step,
    schedules,
)

# ---- step-by-step parity ---------------------------------------------------------------------
# Each entry builds the same optimizer from keras or minikeras (`lib`): the names are the same.
exp = lambda lib: lib.optimizers.schedules.ExponentialDecay(0.05, decay_steps=7, decay_rate=0.5)
cos = lambda lib: lib.optimizers.schedules.CosineDecay(0.001, 40, alpha=0.1,
                                                       warmup_target=0.02, warmup_steps=10)
pw = lambda lib: lib.optimizers.schedules.PiecewiseConstantDecay([10, 30], [0.05, 0.01, 0.002])
CONFIGS = {
    "sgd-clipnorm": lambda lib: lib.optimizers.SGD(0.05, clipnorm=0.5),
    "sgd-momentum-decay": lambda lib: lib.optimizers.SGD(0.05, momentum=0.9, weight_decay=0.05),
    "sgd-nesterov-global": lambda lib: lib.optimizers.SGD(0.05, momentum=0.9, nesterov=True,
                                                          global_clipnorm=1.0),
    "sgd-clipvalue-schedule": lambda lib: lib.optimizers.SGD(exp(lib), clipvalue=0.3),
    "adam": lambda lib: lib.optimizers.Adam(0.01),
    "adam-defaults": lambda lib: lib.optimizers.Adam(),
    "adam-amsgrad": lambda lib: lib.optimizers.Adam(0.01, amsgrad=True),
    "adam-betas": lambda lib: lib.optimizers.Adam(0.02, beta_1=0.5, beta_2=0.9, epsilon=1e-3),
    "adam-clipnorm": lambda lib: lib.optimizers.Adam(0.01, clipnorm=0.4),
    "adam-global": lambda lib: lib.optimizers.Adam(0.01, global_clipnorm=0.7),
    "adam-clipvalue": lambda lib: lib.optimizers.Adam(0.01, clipvalue=0.25),
    "adam-decay": lambda lib: lib.optimizers.Adam(0.01, weight_decay=0.1),
    "adam-amsgrad-decay-global-cosine": lambda lib: lib.optimizers.Adam(
        cos(lib), amsgrad=True, weight_decay=0.2, global_clipnorm=0.5),
    "adamw": lambda lib: lib.optimizers.AdamW(0.01),
    "adamw-amsgrad-clipnorm": lambda lib: lib.optimizers.AdamW(0.01, weight_decay=0.1,
                                                               amsgrad=True, clipnorm=0.3),
    "adamw-piecewise": lambda lib: lib.optimizers.AdamW(pw(lib), weight_decay=0.3),
    "rmsprop": lambda lib: lib.optimizers.RMSprop(0.01),
    "rmsprop-momentum": lambda lib: lib.optimizers.RMSprop(0.01, momentum=0.9),
    "rmsprop-centered": lambda lib: lib.optimizers.RMSprop(0.01, centered=True),
    "rmsprop-centered-momentum-rho": lambda lib: lib.optimizers.RMSprop(
        0.005, rho=0.5, momentum=0.5, centered=True, epsilon=1e-5),
    "rmsprop-clipvalue-decay": lambda lib: lib.optimizers.RMSprop(0.01, clipvalue=0.2,
                                                                  weight_decay=0.1),
    "rmsprop-global-exp": lambda lib: lib.optimizers.RMSprop(exp(lib), global_clipnorm=0.5,
                                                             momentum=0.3),
    "adagrad": lambda lib: lib.optimizers.Adagrad(0.1),
    "adagrad-init-eps": lambda lib: lib.optimizers.Adagrad(0.1, initial_accumulator_value=0.5,
                                                           epsilon=1e-4),
    "adagrad-clipnorm-decay": lambda lib: lib.optimizers.Adagrad(0.1, clipnorm=0.5,
                                                                 weight_decay=0.05),
    "adagrad-global-cosine": lambda lib: lib.optimizers.Adagrad(cos(lib), global_clipnorm=0.8),
}
STEPS = 60  # with a schedule: past the piecewise boundaries and the cosine floor
FIXED_RATE_STEPS = 30  # eager steps cost ~30 ms in each library; 30 bit for bit suffice
@pytest.mark.parametrize("config", list(CONFIGS))
def test_matches_keras_bit_for_bit_every_step(config):
    scheduled = any(s in config for s in ("schedule", "cosine", "piecewise", "exp"))
    steps = STEPS if scheduled else FIXED_RATE_STEPS
    k_opt, m_opt = run_both(CONFIGS[config], steps=steps)
    # All state (iterations, learning rate, slots) in keras's order and with keras's values.
    ours, theirs = m_opt.variables, k_opt.variables
    assert len(ours) == len(theirs)
    assert_same([v.numpy() for v in ours], [v.numpy() for v in theirs], "final state")
    assert int(m_opt.iterations.numpy()) == steps
    np.testing.assert_array_equal(m_opt.current_learning_rate().numpy(),
                                  np.float32(k_opt.learning_rate.numpy()))


@pytest.mark.parametrize("config", ["adam-amsgrad-decay-global-cosine", "rmsprop-centered",
                                    "adagrad-clipnorm-decay", "sgd-momentum-decay"])
def test_none_gradients_are_skipped_like_keras(config):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn about the missing gradient
        run_both(CONFIGS[config], steps=20, mask=[True, False, True])


@pytest.mark.parametrize("config", ["adam", "rmsprop-centered-momentum-rho", "adagrad",
                                    "adamw-piecewise", "sgd-clipvalue-schedule",
                                    "adam-amsgrad-decay-global-cosine"])
def test_200_compiled_steps_match_keras(config):
    """200 steps inside one tf.function each (graph mode), within rtol 1e-6."""
    ours, theirs = compiled_both(CONFIGS[config])
    assert_same(ours, theirs, "after 200 compiled steps", rtol=1e-6)


def test_learning_rate_change_matches_keras():
    k_vars, m_vars = [keras.Variable(v) for v in START], [tf.Variable(v) for v in START]
    k_opt, m_opt = keras.optimizers.Adam(0.01, amsgrad=True), Adam(0.01, amsgrad=True)
    for t in range(40):
        if t == 20:
            k_opt.learning_rate = 0.001
            m_opt.learning_rate = 0.001
        for opt, variables in ((k_opt, k_vars), (m_opt, m_vars)):
            opt.apply([tf.constant(g) for g in grads_fn(t, [v.numpy() for v in variables])],
                      variables)
        assert_same([v.numpy() for v in m_vars], [v.numpy() for v in k_vars], t)


def test_exclude_from_weight_decay_matches_keras():
    def make(lib):
        variables = ([keras.Variable(v, name=n) for v, n in zip(START, ["kernel", "bias", "k2"])]
                     if lib is keras else
                     [tf.Variable(v, name=n) for v, n in zip(START, ["kernel", "bias", "k2"])])
        opt = lib.optimizers.AdamW(0.01, weight_decay=0.5)
        opt.exclude_from_weight_decay(var_list=[variables[2]], var_names=["bias"])
        return opt, variables

    (k_opt, k_vars), (m_opt, m_vars) = make(keras), make(mk)
    for t in range(30):
        for opt, variables in ((k_opt, k_vars), (m_opt, m_vars)):
            opt.apply([tf.constant(g) for g in grads_fn(t, [v.numpy() for v in variables])],
                      variables)
        assert_same([v.numpy() for v in m_vars], [v.numpy() for v in k_vars], t)
    with pytest.raises(ValueError, match="before the optimizer is built"):
        m_opt.exclude_from_weight_decay(var_names=["kernel"])


# ---- the pure functions against hand arithmetic ------------------------------------------------
def test_adam_step_by_hand():
    g, m, v = np.float32([0.5, -2.0]), np.float32([0.1, 0.2]), np.float32([0.01, 0.3])
    lr, t, b1, b2, eps = 0.01, 3, 0.9, 0.999, 1e-7
    dec, m1, v1, vh = adam_step(tf.constant(g), tf.constant(m), tf.constant(v),
                                tf.constant(lr, tf.float32), tf.constant(t), b1, b2, eps)
    m_ref = m + (g - m) * (1 - b1)
    v_ref = v + (g * g - v) * (1 - b2)
    alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    np.testing.assert_allclose(m1, m_ref, rtol=1e-6)
    np.testing.assert_allclose(v1, v_ref, rtol=1e-6)
    np.testing.assert_allclose(dec, m_ref * alpha / (np.sqrt(v_ref) + eps), rtol=1e-5)
    assert vh is None
    big = np.float32([1.0, 1.0])
    _, _, _, vh = adam_step(tf.constant(g), tf.constant(m), tf.constant(v), 0.01, 1,
                            v_hat=tf.constant(big))
    np.testing.assert_array_equal(vh, np.maximum(big, v1))


def test_rmsprop_step_by_hand():
    g, vel, avg, mom = (np.float32(x) for x in ([0.5, -2.0], [0.1, 0.2], [0.05, -0.1],
                                                 [0.01, 0.02]))
    lr, rho, eps, mu = np.float32(0.01), 0.9, 1e-7, 0.5
    dec, vel1, avg1, mom1 = rmsprop_step(*(tf.constant(x) for x in (g, vel)), lr, rho, eps)
    vel_ref = rho * vel + (1 - rho) * g * g
    np.testing.assert_allclose(dec, lr * g / np.sqrt(vel_ref + eps), rtol=1e-6)
    assert avg1 is None and mom1 is None
    dec, vel1, avg1, mom1 = rmsprop_step(tf.constant(g), tf.constant(vel), lr, rho, eps,
                                         tf.constant(avg), tf.constant(mom), mu)
    avg_ref = rho * avg + (1 - rho) * g
    inc = lr * g / np.sqrt(vel_ref - avg_ref ** 2 + eps)
    np.testing.assert_allclose(avg1, avg_ref, rtol=1e-6)
    np.testing.assert_allclose(mom1, mu * mom + inc, rtol=1e-5)
    np.testing.assert_allclose(dec, mom1, rtol=0)


def test_adagrad_step_by_hand():
    g, acc = np.float32([0.5, -2.0]), np.float32([0.1, 0.1])
    dec, acc1 = adagrad_step(tf.constant(g), tf.constant(acc), np.float32(0.1), 1e-7)
    np.testing.assert_allclose(acc1, acc + g * g, rtol=1e-6)
    np.testing.assert_allclose(dec, 0.1 * g / np.sqrt(acc + g * g + 1e-7), rtol=1e-6)


def test_clipping_functions_by_hand():
    g = [tf.constant([3.0, 4.0]), tf.constant([[0.0, 12.0]])]
    np.testing.assert_allclose(clipping.clip_by_norm(g[0], 1.0), [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(clipping.clip_by_norm(g[0], 10.0), [3.0, 4.0])  # below: kept
    out = clipping.clip_by_global_norm(g, 6.5)  # global norm 13
    np.testing.assert_allclose(out[0], [1.5, 2.0], rtol=1e-6)
    np.testing.assert_allclose(out[1], [[0.0, 6.0]], rtol=1e-6)
    np.testing.assert_allclose(clipping.clip_by_value(g[1], 5.0), [[0.0, 5.0]])
    nan = clipping.clip_by_global_norm([tf.constant([np.inf, 1.0])], 1.0)
    assert np.isnan(nan[0].numpy()).all()  # keras: a non-finite norm poisons the step


# ---- contract --------------------------------------------------------------------------------
ALL = [SGD, Adam, AdamW, RMSprop, Adagrad]


@pytest.mark.parametrize("cls", ALL)
def test_build_before_tracing_then_one_trace(cls):
    w, b = tf.Variable([[1.0, -2.0]]), tf.Variable([0.5])
    opt = cls(0.01, clipnorm=1.0)
    opt.build([w, b])
    n_vars = len(opt.variables)
    traces = []

    @tf.function
    def step():
        traces.append(1)
        opt.apply([2.0 * w, b - 1.0], [w, b])

    for lr in (0.01, 0.02, 0.03):
        opt.learning_rate = lr
        step()
    assert len(traces) == 1 and len(opt.variables) == n_vars
    assert int(opt.iterations.numpy()) == 3
    assert all(isinstance(v, tf.Variable) for v in opt.variables)


def test_variable_order_and_slot_values():
    w, b = tf.Variable([1.0, 2.0], name="w"), tf.Variable(3.0, name="b")
    opt = Adam(amsgrad=True)
    opt.build([w, b])
    names = [v.name.split(":")[0] for v in opt.variables]
    assert names == ["iterations", "learning_rate", "w_momentum", "w_velocity", "b_momentum",
                     "b_velocity", "w_velocity_hat", "b_velocity_hat"]
    ada = Adagrad(initial_accumulator_value=0.25)
    ada.build([w])
    np.testing.assert_array_equal(ada.slot(w, "accumulator").numpy(), [0.25, 0.25])
    assert len(RMSprop().variables) == 2 and not RMSprop().built
    r = RMSprop(momentum=0.5, centered=True)
    r.build([w])
    assert [v.name.split(":")[0] for v in r.variables][2:] == [
        "w_velocity", "w_momentum", "w_average_gradient"]


def test_schedule_optimizer_has_no_learning_rate_variable():
    opt = Adam(schedules.ExponentialDecay(0.1, 10, 0.5))
    assert opt.variables == [opt.iterations]


def test_all_none_and_empty_gradients():
    w = tf.Variable([1.0])
    opt = Adam()
    with pytest.raises(ValueError, match="No gradients provided"):
        opt.apply([None], [w])
    opt.apply([], [])  # keras: a no-op, the step count does not move
    assert int(opt.iterations.numpy()) == 0


def test_unknown_variable_after_build():
    opt = Adam()
    opt.apply([tf.constant([1.0])], [tf.Variable([1.0])])
    with pytest.raises(ValueError, match="not among the variables"):
        opt.apply([tf.constant([1.0])], [tf.Variable([2.0])])


# ---- learning rate: float, schedule, callable ---------------------------------------------------
def test_schedule_in_compiled_step_traces_once_and_follows_schedule():
    sched = schedules.PiecewiseConstantDecay([2, 5], [0.1, 0.01, 0.001])
    k_sched = keras.optimizers.schedules.PiecewiseConstantDecay([2, 5], [0.1, 0.01, 0.001])
    w, k_w = tf.Variable([1.0, -1.0]), keras.Variable([1.0, -1.0])
    opt, k_opt = SGD(sched, momentum=0.5), keras.optimizers.SGD(k_sched, momentum=0.5)
    opt.build([w])
    traces = []

    @tf.function
    def step():
        traces.append(1)
        before = tf.identity(w)
        lr = opt.current_learning_rate()
        opt.apply([w * 2.0], [w])
        return lr, before

    for t in range(9):
        lr, _ = step()
        k_opt.apply([k_w * 2.0], [k_w])
        assert lr.dtype == tf.float32
        np.testing.assert_array_equal(lr.numpy(), sched(t).numpy())
        np.testing.assert_array_equal(w.numpy(), k_w.numpy(), err_msg=f"step {t}")
    assert len(traces) == 1
    np.testing.assert_array_equal(opt.learning_rate.numpy(), np.float32(0.001))


def test_learning_rate_property_and_setter():
    opt = Adam(0.01)
    # keras returns a keras.Variable; minikeras its interface over the tf.Variable
    assert isinstance(opt.learning_rate.value, tf.Variable)
    assert float(opt.learning_rate) == np.float32(0.01)
    opt.learning_rate = 0.5
    assert opt.current_learning_rate().numpy() == np.float32(0.5)
    sched_opt = Adam(schedules.InverseTimeDecay(0.1, 1, 1.0))
    np.testing.assert_allclose(sched_opt.learning_rate.numpy(), 0.1)
    with pytest.raises(TypeError, match="not settable"):
        sched_opt.learning_rate = 0.1
    # Switching to a schedule is allowed before build (the variable goes away), not after.
    fresh = SGD(0.1)
    fresh.learning_rate = schedules.ExponentialDecay(0.1, 10, 0.5)
    assert fresh.variables == [fresh.iterations]
    built = SGD(0.1)
    built.build([tf.Variable(1.0)])
    with pytest.raises(TypeError, match="before the optimizer is built"):
        built.learning_rate = schedules.ExponentialDecay(0.1, 10, 0.5)


def test_callable_learning_rates():
    w = tf.Variable([1.0])
    opt = SGD(lambda step: 0.1 / (tf.cast(step, tf.float32) + 1.0))  # a callable of the step
    for _ in range(3):
        opt.apply([tf.constant([1.0])], [w])
    np.testing.assert_allclose(w.numpy(), [1.0 - 0.1 - 0.05 - 0.1 / 3], rtol=1e-6)
    keras_style = SGD(lambda: 0.25)  # keras calls plain callables with no argument
    keras_style.apply([tf.constant([1.0])], [w])
    np.testing.assert_allclose(keras_style.current_learning_rate().numpy(), 0.25)
    with pytest.raises(TypeError, match="plain callable"):
        keras_style.get_config()


# ---- config, serialize, get --------------------------------------------------------------------
@pytest.mark.parametrize("config", list(CONFIGS))
def test_config_round_trip(config):
    opt = CONFIGS[config](mk)
    cfg = opt.get_config()
    again = type(opt).from_config(cfg)
    assert again.get_config() == cfg and type(again) is type(opt)
    via = optimizers.deserialize(optimizers.serialize(opt))
    assert via.get_config() == cfg
    k_cfg = CONFIGS[config](keras).get_config()  # keras's keys are a superset of ours
    assert set(cfg) <= set(k_cfg)
    for key, value in cfg.items():
        if key not in ("name", "learning_rate"):
            assert value == k_cfg[key], key


def test_keras_config_loads():
    k_opt = keras.optimizers.Adam(0.002, beta_1=0.8, amsgrad=True, clipnorm=1.0)
    opt = optimizers.get({"class_name": "Adam", "config": k_opt.get_config()})
    assert isinstance(opt, Adam) and opt.beta_1 == 0.8 and opt.amsgrad and opt.clipnorm == 1.0
    k_sched = keras.optimizers.RMSprop(keras.optimizers.schedules.CosineDecay(0.1, 100))
    opt = optimizers.deserialize({"class_name": "rmsprop", "config": k_sched.get_config()})
    assert isinstance(opt._schedule, schedules.CosineDecay)
    with pytest.raises(ValueError, match="use_ema"):
        optimizers.get({"class_name": "Adam",
                        "config": keras.optimizers.Adam(use_ema=True).get_config()})


@pytest.mark.parametrize("name,cls", [("sgd", SGD), ("adam", Adam), ("adamw", AdamW),
                                      ("rmsprop", RMSprop), ("adagrad", Adagrad),
                                      ("Adam", Adam), ("RMSprop", RMSprop)])
def test_get_by_name_with_keras_defaults(name, cls):
    opt = optimizers.get(name)
    assert type(opt) is cls
    k_cfg = keras.optimizers.get(name).get_config()
    for key, value in opt.get_config().items():
        if key != "name":
            assert value == pytest.approx(k_cfg[key]) if isinstance(value, float) else \
                value == k_cfg[key], key


def test_get_errors_list_valid_names():
    names = "adadelta, adagrad, adam, adamax, adamw, ftrl, lion, nadam, rmsprop, sgd"
    with pytest.raises(ValueError, match=f"Valid names are: {names}"):
        optimizers.get("adamm")
    with pytest.raises(TypeError):
        optimizers.get(0.1)
    with pytest.raises(ValueError, match="Valid names"):
        optimizers.deserialize({"class_name": "os.system", "config": {}})


# ---- argument validation ----------------------------------------------------------------------
@pytest.mark.parametrize("cls,kwargs,error,match", [
    (Adam, dict(learning_rate=-0.1), ValueError, "learning_rate"),
    (Adam, dict(learning_rate=float("nan")), ValueError, "learning_rate"),
    (RMSprop, dict(learning_rate="fast"), ValueError, "learning_rate"),
    (Adam, dict(beta_1=1.0), ValueError, r"beta_1.*\[0.0, 1.0\)"),
    (Adam, dict(beta_2=-0.1), ValueError, "beta_2"),
    (Adam, dict(beta_1=float("nan")), ValueError, "beta_1"),
    (Adam, dict(epsilon=0.0), ValueError, "epsilon"),
    (Adam, dict(amsgrad="yes"), TypeError, "amsgrad"),
    (AdamW, dict(weight_decay=None), ValueError, "weight_decay"),
    (AdamW, dict(weight_decay=-0.1), ValueError, "weight_decay"),
    (RMSprop, dict(rho=1.0), ValueError, "rho"),
    (RMSprop, dict(momentum=1.5), ValueError, "momentum"),
    (RMSprop, dict(epsilon=-1e-7), ValueError, "epsilon"),
    (RMSprop, dict(centered=1), TypeError, "centered"),
    (Adagrad, dict(initial_accumulator_value=-1.0), ValueError, "initial_accumulator_value"),
    (Adagrad, dict(epsilon=0), ValueError, "epsilon"),
    (SGD, dict(clipnorm=0.0), ValueError, "clipnorm"),
    (SGD, dict(clipvalue=-1.0), ValueError, "clipvalue"),
    (Adam, dict(global_clipnorm=float("inf")), ValueError, "global_clipnorm"),
    (Adam, dict(weight_decay=float("nan")), ValueError, "weight_decay"),
    (Adam, dict(clipnorm=1.0, global_clipnorm=1.0), ValueError,
     "Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"),
    (SGD, dict(clipnorm=1.0, clipvalue=1.0), ValueError, "Only one of"),
])
def test_argument_validation(cls, kwargs, error, match):
    with pytest.raises(error, match=match):
        cls(**kwargs)


# ---- whole fit against keras --------------------------------------------------------------------
N, FEATURES = 67, 3
data_rng = np.random.default_rng(1)
X = data_rng.normal(size=(N, FEATURES)).astype(np.float32)
Y_REG = X @ np.array([[0.5], [-1.0], [2.0]], np.float32)
Y_BIN = (X @ np.array([1.0, -2.0, 0.5]) > 0).astype(np.float32)


def fit_pair(make_optimizer, loss, y, units=1, activation=None, epochs=3):
    ref = keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(5, activation="tanh"),
                            keras.layers.Dense(units, activation=activation)])
    ours = mk.Sequential([mk.Input(shape=(FEATURES,)), mk.layers.Dense(5, activation="tanh"),
                          mk.layers.Dense(units, activation=activation)])
    ours.set_weights(ref.get_weights())
    ref.compile(optimizer=make_optimizer(keras), loss=loss, metrics=["mae"])
    ours.compile(optimizer=make_optimizer(mk), loss=loss, metrics=["mae"])
    kwargs = dict(batch_size=16, epochs=epochs, shuffle=False, verbose=0)
    h_ref, h_ours = ref.fit(X, y, **kwargs).history, ours.fit(X, y, **kwargs).history
    assert sorted(h_ours) == sorted(h_ref)
    for key in h_ref:
        np.testing.assert_allclose(h_ours[key], h_ref[key], rtol=1e-5, atol=1e-5, err_msg=key)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    return ours, ref


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_fit_by_name_matches_keras(name):
    ours, ref = fit_pair(lambda lib: name, "mse", Y_REG, epochs=4)
    assert int(ours.optimizer.iterations.numpy()) == int(ref.optimizer.iterations.numpy()) == 20


@pytest.mark.parametrize("config", ["adam-amsgrad-decay-global-cosine", "adamw-piecewise",
                                    "rmsprop-centered-momentum-rho", "adagrad-clipnorm-decay",
                                    "sgd-clipvalue-schedule"])
def test_fit_with_configured_optimizer_matches_keras(config):
    ours, _ = fit_pair(CONFIGS[config], "binary_crossentropy", Y_BIN, activation="sigmoid")
    assert sum(ours.trace_counts.values()) == 1  # a schedule never retraces
