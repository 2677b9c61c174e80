"""FBetaScore and F1Score against keras: values, weights, thresholds, averages, configs."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from minikeras import metrics

RNG = np.random.default_rng(3)
Y_TRUE = (RNG.random((12, 4)) > 0.6).astype(np.float32)
Y_PRED = RNG.random((12, 4)).astype(np.float32)
Y_PRED[0] = 0.0  # an all-zero row: no positive class (keras's 1e-9 rule)
WEIGHTS = RNG.random(12).astype(np.float32)


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize("beta,threshold", [(1.0, None), (0.5, 0.5), (2.0, 0.3)])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras_over_batches(average, beta, threshold, weighted):
    ours = metrics.FBetaScore(average, beta, threshold)
    theirs = keras.metrics.FBetaScore(average, beta, threshold)
    for rows in (slice(0, 5), slice(5, 12)):
        sw = WEIGHTS[rows] if weighted else None
        ours.update_state(Y_TRUE[rows], Y_PRED[rows], sw)
        theirs.update_state(Y_TRUE[rows], Y_PRED[rows], sw)
    np.testing.assert_allclose(np.asarray(ours.result()), np.asarray(theirs.result()),
                               rtol=1e-6, atol=1e-7)
    assert [tuple(v.shape) for v in ours.variables] == \
        [tuple(v.shape) for v in theirs.variables]
    ours.reset_state()
    assert all(not np.any(v.numpy()) for v in ours.variables)


def test_f1_is_fbeta_one_and_configs_match_keras():
    f1 = metrics.F1Score(average="macro", threshold=0.4)
    ref = keras.metrics.F1Score(average="macro", threshold=0.4)
    assert f1.get_config() == ref.get_config()
    assert metrics.FBetaScore(beta=0.5).get_config() == \
        keras.metrics.FBetaScore(beta=0.5).get_config()
    again = metrics.deserialize(metrics.serialize(f1))
    assert isinstance(again, metrics.F1Score) and again.get_config() == f1.get_config()
    assert isinstance(metrics.get("f1_score"), metrics.F1Score)
    assert isinstance(metrics.get("FBetaScore"), metrics.FBetaScore)
    f1.update_state(Y_TRUE, Y_PRED)
    fb = metrics.FBetaScore(average="macro", beta=1.0, threshold=0.4)
    fb.update_state(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(f1.result(), fb.result())


def test_updates_inside_a_compiled_function():
    ours = metrics.F1Score(average="micro")

    @tf.function
    def update(y_true, y_pred):
        ours.update_state(y_true, y_pred)

    update(tf.constant(Y_TRUE), tf.constant(Y_PRED))
    theirs = keras.metrics.F1Score(average="micro")
    theirs.update_state(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(np.asarray(ours.result()), np.asarray(theirs.result()), rtol=1e-6)


@pytest.mark.parametrize("kwargs", [{"average": "mean"}, {"beta": 1}, {"beta": 0.0},
                                    {"threshold": 1}, {"threshold": 1.5}, {"threshold": 0.0}])
def test_refuses_as_keras(kwargs):
    with pytest.raises(ValueError) as theirs:
        keras.metrics.FBetaScore(**kwargs)
    with pytest.raises(ValueError) as ours:
        metrics.FBetaScore(**kwargs)
    assert str(ours.value) == str(theirs.value)


def test_refuses_other_than_2d_as_keras():
    with pytest.raises(ValueError, match=r"expects 2D inputs .* y_pred.shape=\(2, 3, 4\)"):
        metrics.FBetaScore().update_state(np.ones((2, 3, 4)), np.ones((2, 3, 4)))


@pytest.mark.parametrize("metric", [lambda: metrics.F1Score(),
                                    lambda: metrics.Precision(thresholds=[0.3, 0.6])])
def test_vector_results_are_refused_in_fit_before_training(metric):
    import minikeras as mk
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy", metrics=[metric()])
    model.build((None, 3))
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match="log one number per metric"):
        model.fit(np.ones((4, 3)), np.eye(2)[[0, 1, 0, 1]], verbose=0)
    for w, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, b)
