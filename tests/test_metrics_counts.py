"""TruePositives/FalsePositives/TrueNegatives/FalseNegatives, PrecisionAtRecall and the other
rate-at-rate metrics, Sum and R2Score, against keras 3 on the same inputs (thresholds, sample
weights, batch by batch, reset), configs and string names, bad arguments, and compile + fit."""
import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk
from minikeras import metrics
from minikeras.callbacks.monitor import metric_direction

rng = np.random.default_rng(7)
Y = rng.integers(0, 2, (48, 3))
P = rng.uniform(size=(48, 3)).astype("float32")
P[:6, 0] = [0.0, 1.0, 0.5, 0.25, 0.75, 0.3]  # predictions on threshold values and the ends
W = rng.uniform(size=(48,)).astype("float32")
W2 = rng.uniform(size=(48, 3)).astype("float32")

COUNTS = ["TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives"]
RATES = {"PrecisionAtRecall": "recall", "RecallAtPrecision": "precision",
         "SensitivityAtSpecificity": "specificity", "SpecificityAtSensitivity": "sensitivity"}


def close(a, b, tol=1e-6):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def both(cls_name, *args, **kwargs):
    return (getattr(metrics, cls_name)(*args, **kwargs),
            getattr(keras.metrics, cls_name)(*args, **kwargs))


def check_same(pair):
    mine, theirs = pair
    assert np.shape(mine.result()) == np.shape(theirs.result())
    close(mine.result(), theirs.result())
    assert len(mine.variables) == len(theirs.variables)
    for a, b in zip(mine.variables, theirs.variables):
        close(a.numpy(), np.asarray(b))


def feed(pair, batches):
    """Updates both metrics batch by batch, comparing after each batch, then after a reset
    and one more batch."""
    for batch in batches:
        for m in pair:
            m.update_state(batch[0], batch[1], sample_weight=batch[2] if len(batch) > 2 else None)
        check_same(pair)
    for m in pair:
        m.reset_state()
    check_same(pair)
    for m in pair:
        m.update_state(*batches[0][:2])
    check_same(pair)


BATCHES = [(Y[:16], P[:16]), (Y[16:32], P[16:32], W[16:32]), (Y[32:], P[32:], W2[32:]),
           (Y[:8, 0], P[:8, 0], 2.0), (Y[:8, :1], P[:8, 0], W[:8])]


@pytest.mark.parametrize("name", COUNTS)
@pytest.mark.parametrize("thresholds", [None, 0.3, 0.0, 1.0, [0.5], [0.2, 0.5, 0.9],
                                        [0.0, 0.5, 1.0], [0.0, 0.25, 0.5, 0.75, 1.0],
                                        [0.9, 0.1], [0.0, 1.0]])
def test_counts_match_keras(name, thresholds):
    feed(both(name, thresholds=thresholds), BATCHES)


@pytest.mark.parametrize("name", COUNTS)
def test_counts_scalar_for_one_threshold_vector_for_several(name):
    for thresholds, shape in [(None, ()), (0.7, ()), ([0.7], ()), ([0.1, 0.7], (2,))]:
        m = getattr(metrics, name)(thresholds=thresholds)
        assert m.thresholds == ([0.5] if thresholds is None else
                                thresholds if isinstance(thresholds, list) else [thresholds])
        assert m.result().shape == shape and len(m.variables) == 1
    cell = {"TruePositives": "tp", "FalsePositives": "fp", "TrueNegatives": "tn",
            "FalseNegatives": "fn"}[name]
    y, p = np.array([1, 1, 0, 0, 1]), np.array([0.9, 0.2, 0.8, 0.1, 0.5])
    w = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    pos, lab = p > 0.5, y.astype(bool)  # strictly above the threshold
    expected = {"tp": lab & pos, "fp": ~lab & pos, "tn": ~lab & ~pos, "fn": lab & ~pos}[cell]
    assert float(getattr(metrics, name)()(y, p, sample_weight=w)) == float((w * expected).sum())


@pytest.mark.parametrize("name", list(RATES))
@pytest.mark.parametrize("value, kwargs", [
    (0.5, {}), (0.0, {}), (1.0, {}), (0.8, dict(num_thresholds=1)),
    (0.3, dict(num_thresholds=2)), (0.6, dict(num_thresholds=7)),
    (0.4, dict(num_thresholds=50, class_id=1)), (0.9, dict(class_id=2, name="custom")),
])
def test_rate_at_rate_match_keras(name, value, kwargs):
    # class_id needs 2-D predictions, and per-sample (not per-element) weights, as keras
    batches = BATCHES if "class_id" not in kwargs else BATCHES[:2]
    pair = both(name, value, **kwargs)
    feed(pair, batches)
    mine = pair[0]
    assert getattr(mine, RATES[name]) == value and mine.value == value
    assert mine.thresholds == pair[1].thresholds and mine.num_thresholds == pair[1].num_thresholds


def test_rate_at_rate_keras_docstring_values():
    y, p = [0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8]
    m = metrics.SensitivityAtSpecificity(0.5)
    assert float(m(y, p)) == 0.5
    m.reset_state()
    close(m(y, p, sample_weight=[1, 1, 2, 2, 1]), 1 / 3)
    close(metrics.SpecificityAtSensitivity(0.5)(y, p), 2 / 3)
    close(metrics.PrecisionAtRecall(0.5)(y, p, sample_weight=[2, 2, 2, 1, 1]), 1 / 3)
    # the precision 2/3 cannot be reached: the recall is 0
    assert float(metrics.RecallAtPrecision(2 / 3)([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.9])) == 0.0


@pytest.mark.parametrize("values, weights", [
    ([1, 3, 5, 7], None), ([1, 3, 5, 7], [1, 1, 0, 0]), ([[1, 3], [5, 7]], [[1, 1], [1, 0]]),
    ([[1, 3], [5, 7]], [[1, 0]]), ([[1, 3], [5, 7]], [2, 0.5]), (P, W), (P, W2), (P[:, :, None], W),
    (4.0, None), (4.0, 0.5), (P, 3.0),
])
def test_sum_matches_keras(values, weights):
    pair = both("Sum")
    for m in pair:
        m.update_state(values, sample_weight=weights)
        m.update_state(values)
    check_same(pair)
    for m in pair:
        m.reset_state()
    check_same(pair)


@pytest.mark.parametrize("class_aggregation", [None, "uniform_average",
                                               "variance_weighted_average"])
@pytest.mark.parametrize("num_regressors", [0, 1, 3])
def test_r2_score_matches_keras(class_aggregation, num_regressors):
    y = rng.normal(size=(30, 3)).astype("float32")
    p = (y + rng.normal(scale=0.7, size=(30, 3))).astype("float32")
    pair = both("R2Score", class_aggregation=class_aggregation, num_regressors=num_regressors)
    for m in pair:
        m.update_state(y[:10], p[:10])
        m.update_state(y[10:20], p[10:20], sample_weight=W[10:20])
        m.update_state(y[20:], p[20:], sample_weight=W2[20:30])
        m.update_state(y[:4], p[:4], sample_weight=0.5)
    check_same(pair)
    for m in pair:
        m.reset_state()
    for m in pair:
        m.update_state(y[:6], p[:6])
    check_same(pair)
    pair = both("R2Score", class_aggregation=class_aggregation, num_regressors=num_regressors)
    for m in pair:
        m.update_state(y[:9, :1], p[:9, 0])  # y_pred of rank 1 is expanded to y_true's rank
    check_same(pair)


def test_r2_score_adjusted_fallbacks_warn_as_keras():
    y, p = [[0.0], [1.0], [3.0]], [[0.5], [1.0], [2.0]]
    for num_regressors, message in [(5, "More independent predictors"), (2, "Division by zero")]:
        pair = both("R2Score", num_regressors=num_regressors)
        for m in pair:
            m.update_state(y, p)
        with pytest.warns(UserWarning, match=message):
            mine = pair[0].result()
        with pytest.warns(UserWarning, match=message):
            theirs = pair[1].result()
        close(mine, theirs)
    assert float(metrics.R2Score().result()) == 0.0  # before any update (keras has no state)


@pytest.mark.parametrize("name, args, kwargs", [
    *[(n, (), dict(thresholds=t, name="c")) for n in COUNTS for t in (None, 0.4, [0.4, 0.9])],
    *[(n, (0.4,), dict(num_thresholds=100, class_id=2, name="r")) for n in RATES],
    ("Sum", (), dict(name="s")),
    ("R2Score", (), dict(class_aggregation=None, num_regressors=2)),
    ("R2Score", (), dict(class_aggregation="variance_weighted_average")),
])
def test_configs_match_keras_and_round_trip(name, args, kwargs):
    mine, theirs = both(name, *args, **kwargs)
    config = mine.get_config()
    assert config == theirs.get_config()
    json.dumps(config)
    again = type(mine).from_config(config)
    assert again.get_config() == config and len(again.variables) == len(mine.variables)
    rebuilt = metrics.deserialize(metrics.serialize(mine))
    assert type(rebuilt) is type(mine) and rebuilt.get_config() == config
    # keras can rebuild minikeras's config and the other way round
    assert type(theirs).from_config(config).get_config() == config
    assert getattr(metrics, name).from_config(theirs.get_config()).get_config() == config


@pytest.mark.parametrize("identifier", ["TruePositives", "true_positives", "FalsePositives",
                                        "false_positives", "TrueNegatives", "true_negatives",
                                        "FalseNegatives", "false_negatives", "Sum", "sum",
                                        "R2Score", "r2_score"])
def test_get_resolves_keras_names(identifier):
    mine, theirs = metrics.get(identifier), keras.metrics.get(identifier)
    assert type(mine).__name__ == type(theirs).__name__
    assert mine.name == theirs.name.rstrip("0123456789").rstrip("_") or mine.name == theirs.name


@pytest.mark.parametrize("identifier", ["precision_at_recall", "RecallAtPrecision"])
def test_get_needs_the_target_as_keras(identifier):
    for lib in (metrics, keras.metrics):
        with pytest.raises(TypeError):
            lib.get(identifier)


def test_directions_as_keras():
    for name, args in [*((n, (0.5,)) for n in RATES), ("R2Score", ())]:
        assert getattr(keras.metrics, name)(*args)._direction == "up"
        assert metric_direction(getattr(metrics, name)(*args)) == "up"
    for name in COUNTS + ["Sum"]:
        assert metric_direction(getattr(metrics, name)()) is None


@pytest.mark.parametrize("make, error", [
    (lambda lib: lib.FalsePositives(thresholds=[-1, 0.5, 2]), ValueError),
    (lambda lib: lib.TruePositives(thresholds=[None]), ValueError),
    (lambda lib: lib.TrueNegatives(thresholds=1.5), ValueError),
    (lambda lib: lib.FalseNegatives(thresholds="0.5"), TypeError),
    (lambda lib: lib.FalseNegatives(thresholds=[0.2, "0.5"]), TypeError),
    (lambda lib: lib.SensitivityAtSpecificity(-1), ValueError),
    (lambda lib: lib.SpecificityAtSensitivity(1.5), ValueError),
    (lambda lib: lib.PrecisionAtRecall("0.5"), TypeError),
    (lambda lib: lib.RecallAtPrecision(0.4, num_thresholds=-1), ValueError),
    (lambda lib: lib.RecallAtPrecision(0.4, num_thresholds=0), ValueError),
    (lambda lib: lib.PrecisionAtRecall(0.4, num_thresholds=2.5), TypeError),
    (lambda lib: lib.PrecisionAtRecall(0.4, num_thresholds="200"), TypeError),
    (lambda lib: lib.R2Score(class_aggregation="wrong"), ValueError),
    (lambda lib: lib.R2Score(num_regressors=-1), ValueError),
    (lambda lib: lib.R2Score(num_regressors="2"), TypeError),
    (lambda lib: lib.R2Score().update_state([0.0, 1.0], [0.0, 1.0]), ValueError),
    (lambda lib: lib.R2Score().update_state(np.zeros((2, 2, 2)), np.zeros((2, 2, 2))),
     ValueError),
    (lambda lib: lib.PrecisionAtRecall(0.5, class_id=1).update_state([0, 1], [0.2, 0.8]),
     ValueError),
])
def test_bad_arguments_raise_as_keras(make, error):
    with pytest.raises(error):
        make(keras.metrics)
    with pytest.raises(error) as info:
        make(metrics)
    assert "Received" in str(info.value) or "expects 2D" in str(info.value) or \
        "class_id" in str(info.value)


def test_messages_name_the_argument():
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]. "
                                         r"Received: \[-1, 2\]"):
        metrics.FalsePositives(thresholds=[-1, 0.5, 2])
    with pytest.raises(TypeError, match="Threshold values must be floats"):
        metrics.TruePositives(thresholds=["a"])
    with pytest.raises(ValueError, match=r"`specificity` must be in the range \[0, 1\]"):
        metrics.SensitivityAtSpecificity(2)
    with pytest.raises(TypeError, match="`precision` must be a float"):
        metrics.RecallAtPrecision(None)
    with pytest.raises(ValueError, match="`num_thresholds` must be an integer > 0"):
        metrics.SpecificityAtSensitivity(0.4, num_thresholds=-1)
    with pytest.raises(ValueError, match="Invalid value for argument `class_aggregation`"):
        metrics.R2Score(class_aggregation="mean")
    with pytest.raises(ValueError, match="R2Score expects 2D inputs"):
        metrics.R2Score()([1.0, 2.0], [1.0, 2.0])


def test_in_tf_function_and_distributed():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    with strategy.scope():
        tp = metrics.TruePositives(thresholds=[0.3, 0.6])
        par = metrics.PrecisionAtRecall(0.5, num_thresholds=20)
        r2 = metrics.R2Score()  # its variables are made inside the tf.function
        total = metrics.Sum()

    @tf.function
    def update(y, p, w):
        tp.update_state(y, p, sample_weight=w)
        par.update_state(y, p, sample_weight=w)
        r2.update_state(y, p, sample_weight=w)
        total.update_state(p, sample_weight=w)

    args = (tf.constant(Y, tf.float32), tf.constant(P), tf.constant(W))
    strategy.run(update, args=args)
    expected = [keras.metrics.TruePositives(thresholds=[0.3, 0.6]),
                keras.metrics.PrecisionAtRecall(0.5, num_thresholds=20),
                keras.metrics.R2Score(), keras.metrics.Sum()]
    for k in expected[:3]:
        k.update_state(Y, P, sample_weight=W)
    expected[3].update_state(P, sample_weight=W)
    for mine, theirs in zip([tp, par, r2, total], expected):
        close(mine.result(), theirs.result(), tol=1e-5)


def _fit_both(metric_lists, weighted=None, class_weight=None, validation_split=0.25):
    """fit (3 epochs, Adam) and evaluate on keras and minikeras from the same weights; the
    History and evaluate values must agree within 1e-5."""
    x = rng.normal(size=(96, 5)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0.8).astype("float32")[:, None]
    k_model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="relu"),
                                keras.layers.Dense(1, activation="sigmoid")])
    m_model = mk.Sequential([mk.Input(shape=(5,)), mk.layers.Dense(4, activation="relu"),
                             mk.layers.Dense(1, activation="sigmoid")])
    m_model.set_weights(k_model.get_weights())
    results = []
    for model, lib in ((k_model, keras), (m_model, mk)):
        model.compile(optimizer=lib.optimizers.Adam(0.01), loss="binary_crossentropy",
                      metrics=metric_lists(lib), weighted_metrics=weighted and weighted(lib))
        history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0,
                            validation_split=validation_split, class_weight=class_weight)
        results.append((history.history, model.evaluate(x, y, verbose=0, return_dict=True)))
    (k_hist, k_eval), (m_hist, m_eval) = results
    assert sorted(m_hist) == sorted(k_hist) and sorted(m_eval) == sorted(k_eval)
    for key in k_hist:
        close(m_hist[key], k_hist[key], tol=1e-5)
    for key in k_eval:
        close(m_eval[key], k_eval[key], tol=1e-5)
    return m_hist


def test_compile_and_fit_history_matches_keras():
    history = _fit_both(lambda lib: [
        lib.metrics.FalseNegatives(name="fn"), lib.metrics.FalsePositives(name="fp"),
        lib.metrics.TrueNegatives(name="tn"), lib.metrics.TruePositives(name="tp"),
        lib.metrics.TruePositives(thresholds=0.2, name="tp_02"),
        lib.metrics.PrecisionAtRecall(0.5, name="p_at_r"),
        lib.metrics.RecallAtPrecision(0.6, name="r_at_p"),
        lib.metrics.SensitivityAtSpecificity(0.5, num_thresholds=40, name="sens"),
        lib.metrics.SpecificityAtSensitivity(0.7, name="spec"), lib.metrics.R2Score(name="r2"),
        lib.metrics.Precision(name="precision"), lib.metrics.AUC(name="auc"),
    ])
    assert len(history["val_tp"]) == 3
    assert history["tp"][-1] + history["fn"][-1] > 0


def test_fit_with_class_weight_and_weighted_metrics_matches_keras():
    # class weights reach the loss and `weighted_metrics` (keras's `metrics` ignore weights)
    history = _fit_both(
        lambda lib: [lib.metrics.TruePositives(name="tp"), lib.metrics.FalseNegatives(name="fn"),
                     lib.metrics.R2Score(name="r2")],
        weighted=lambda lib: [lib.metrics.TruePositives(name="w_tp"),
                              lib.metrics.FalseNegatives(name="w_fn"),
                              lib.metrics.RecallAtPrecision(0.5, name="w_r_at_p"),
                              lib.metrics.R2Score(name="w_r2")],
        class_weight={0: 0.6, 1: 3.0}, validation_split=0.0)
    positives = history["tp"][-1] + history["fn"][-1]
    assert positives > 0
    close(history["w_tp"][-1] + history["w_fn"][-1], 3.0 * positives, tol=1e-4)


def test_compile_with_string_identifiers_matches_keras():
    _fit_both(lambda lib: ["true_positives", "FalseNegatives", "true_negatives",
                           "false_positives", "r2_score"])


def test_compile_refuses_vector_results():
    model = mk.Sequential([mk.Input(shape=(2,)), mk.layers.Dense(1, activation="sigmoid")])
    x, y = np.zeros((4, 2), "float32"), np.zeros((4, 1), "float32")
    for metric in (metrics.TruePositives(thresholds=[0.2, 0.8]),
                   metrics.R2Score(class_aggregation=None)):
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=[metric])
        with pytest.raises(ValueError, match="log one number per metric"):
            model.fit(x, y, verbose=0)
