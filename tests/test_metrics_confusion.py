"""Precision, Recall, AUC, top-k accuracies, RootMeanSquaredError, MAPE and the other metrics
of loss functions, against keras 3 on the same inputs (batch by batch, weighted, configs,
string names, compile and fit)."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk
from minikeras import metrics

rng = np.random.default_rng(0)
Y2 = rng.integers(0, 2, (40, 3))
P2 = rng.uniform(size=(40, 3)).astype("float32")
P2[:4, 0] = [0.0, 1.0, 0.5, 0.25]  # exact thresholds and ends
W2 = rng.uniform(size=(40,)).astype("float32")


def close(a, b, rtol=1e-6, atol=1e-6):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


def both(cls, **kwargs):
    return getattr(metrics, cls)(**kwargs), getattr(keras.metrics, cls)(**kwargs)


def feed(pair, batches):
    for args in batches:
        for m in pair:
            m.update_state(*args[:2], sample_weight=args[2] if len(args) > 2 else None)
    close(pair[0].result(), pair[1].result())
    close([v.numpy() for v in pair[0].variables], [v.numpy() for v in pair[1].variables])


BATCHES = [(Y2[:15], P2[:15]), (Y2[15:], P2[15:], W2[15:])]


@pytest.mark.parametrize("name", ["Precision", "Recall"])
@pytest.mark.parametrize("kwargs", [{}, dict(thresholds=0.3), dict(thresholds=[0.2, 0.5, 0.9]),
                                    dict(thresholds=[0.0, 0.5, 1.0]), dict(top_k=2),
                                    dict(class_id=1), dict(top_k=1, class_id=2),
                                    dict(thresholds=0.7, top_k=2)])
def test_precision_recall_match_keras(name, kwargs):
    feed(both(name, **kwargs), BATCHES)


@pytest.mark.parametrize("name", ["Precision", "Recall"])
def test_precision_recall_shapes_and_weights(name):
    y, p = np.array([0, 1, 1, 0, 1]), np.array([0.6, 0.4, 0.9, 0.1, 0.51], "float32")
    feed(both(name), [(y, p), (y[:, None], p), (y, p[:, None], np.array(2.0)),
                      (y, p, np.arange(5.0))])
    with pytest.raises(ValueError, match="When class_id is provided, y_pred must be a 2D"):
        getattr(metrics, name)(class_id=1)(y, p)
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]"):
        getattr(metrics, name)(thresholds=[0.5, 1.5])


@pytest.mark.parametrize("kwargs", [
    {}, dict(num_thresholds=3), dict(num_thresholds=50, curve="PR"),
    dict(curve="PR", summation_method="majoring"), dict(curve="ROC", summation_method="minoring"),
    dict(curve="PRGAIN"), dict(thresholds=[0.1, 0.5, 0.7]), dict(thresholds=[0.25, 0.5, 0.75]),
    dict(from_logits=True), dict(label_weights=[1.0, 2.0, 0.5]),
    dict(multi_label=True), dict(multi_label=True, num_labels=3, curve="PR"),
    dict(multi_label=True, label_weights=[1.0, 0.0, 2.0], summation_method="majoring"),
])
def test_auc_matches_keras(kwargs):
    pair = both("AUC", **kwargs)
    p = (P2 * 8 - 4) if kwargs.get("from_logits") else P2
    for m in pair:
        m.update_state(Y2[:15], p[:15])
        m.update_state(Y2[15:], p[15:], sample_weight=W2[15:])
    close(pair[0].result(), pair[1].result())
    close([v.numpy() for v in pair[0].variables], [v.numpy() for v in pair[1].variables])
    for m in pair:
        m.reset_state()
    close(pair[0].result(), pair[1].result())


def test_auc_binary_column_and_config():
    pair = both("AUC", num_thresholds=7, name="roc")
    feed(pair, [(Y2[:, :1], P2[:, :1]), (Y2[:, 0], P2[:, :1], W2)])
    config = pair[0].get_config()
    k_config = pair[1].get_config()
    assert {k: v for k, v in config.items() if k != "dtype"} == \
        {k: v for k, v in k_config.items() if k != "dtype"}
    again = metrics.AUC.from_config(config)
    assert again.thresholds == pair[0].thresholds and again.name == "roc"
    assert metrics.deserialize(metrics.serialize(pair[0])).get_config() == config
    manual = metrics.AUC(thresholds=[0.3, 0.6])
    assert metrics.AUC.from_config(manual.get_config()).thresholds == manual.thresholds
    for kwargs, match in [(dict(num_thresholds=1), "must be an integer > 1"),
                          (dict(curve="XY"), "Invalid AUC curve value"),
                          (dict(summation_method="mid"), "Invalid AUC summation method"),
                          (dict(num_labels=2), "needed only when `multi_label` is True")]:
        with pytest.raises(ValueError, match=match):
            metrics.AUC(**kwargs)


def test_precision_config_round_trip():
    m = metrics.Precision(thresholds=[0.4, 0.9], top_k=3, class_id=2, name="p")
    k = keras.metrics.Precision(thresholds=[0.4, 0.9], top_k=3, class_id=2, name="p")
    assert {a: b for a, b in m.get_config().items() if a != "dtype"} == \
        {a: b for a, b in k.get_config().items() if a != "dtype"}
    again = metrics.Precision.from_config(m.get_config())
    assert (again.thresholds, again.top_k, again.class_id) == ([0.4, 0.9], 3, 2)
    assert len(again.variables) == 2


@pytest.mark.parametrize("k", [1, 2, 5])
def test_top_k_accuracies_match_keras(k):
    logits = rng.normal(size=(30, 6)).astype("float32")
    labels = rng.integers(0, 6, 30)
    onehot = np.eye(6, dtype="float32")[labels]
    w = rng.uniform(size=30).astype("float32")
    feed(both("TopKCategoricalAccuracy", k=k), [(onehot[:10], logits[:10]),
                                                (onehot[10:], logits[10:], w[10:])])
    feed(both("SparseTopKCategoricalAccuracy", k=k), [(labels[:10], logits[:10]),
                                                      (labels[10:, None], logits[10:], w[10:])])
    sorted_ids = np.argsort(-logits, axis=1)
    feed(both("SparseTopKCategoricalAccuracy", k=k, from_sorted_ids=True),
         [(labels, sorted_ids)])
    seq_logits, seq_labels = logits.reshape(5, 6, 6), labels.reshape(5, 6)
    close(metrics.sparse_top_k_categorical_accuracy(seq_labels, seq_logits, k=k),
          keras.metrics.sparse_top_k_categorical_accuracy(seq_labels, seq_logits, k=k))
    close(metrics.top_k_categorical_accuracy(onehot.reshape(5, 6, 6), seq_logits, k=k),
          keras.metrics.top_k_categorical_accuracy(onehot.reshape(5, 6, 6), seq_logits, k=k))


@pytest.mark.parametrize("name", ["RootMeanSquaredError", "MeanAbsolutePercentageError",
                                  "MeanSquaredLogarithmicError", "LogCoshError",
                                  "CosineSimilarity", "Hinge", "SquaredHinge",
                                  "CategoricalHinge", "KLDivergence", "Poisson"])
def test_regression_and_loss_metrics_match_keras(name):
    y = rng.uniform(0, 2, (20, 4)).astype("float32")
    p = rng.uniform(0, 2, (20, 4)).astype("float32")
    w = rng.uniform(size=20).astype("float32")
    pair = both(name)
    assert pair[0].name == pair[1].name
    feed(pair, [(y[:8], p[:8]), (y[8:], p[8:], w[8:]), (y[:5, :1], p[:5, 0])])
    assert {k: v for k, v in pair[0].get_config().items() if k not in ("dtype", "axis")} == \
        {k: v for k, v in pair[1].get_config().items() if k != "dtype"}


@pytest.mark.parametrize("name", ["precision", "recall", "auc", "AUC", "Precision",
                                  "root_mean_squared_error", "RootMeanSquaredError", "mape",
                                  "MAPE", "mean_absolute_percentage_error", "msle",
                                  "top_k_categorical_accuracy", "TopKCategoricalAccuracy",
                                  "sparse_top_k_categorical_accuracy", "log_cosh_error", "hinge",
                                  "kl_divergence", "poisson", "cosine_similarity"])
def test_get_resolves_keras_names(name):
    mine, theirs = metrics.get(name), keras.metrics.get(name)
    assert type(mine).__name__ == type(theirs).__name__
    assert mine.name == theirs.name.rsplit("_", 1)[0] if theirs.name[-1].isdigit() \
        else mine.name == theirs.name


@pytest.mark.parametrize("name", ["rmse", "kld", "logcosh"])
def test_get_refuses_what_keras_refuses(name):
    with pytest.raises(ValueError):
        keras.metrics.get(name)
    with pytest.raises(ValueError):
        metrics.get(name)


def test_compile_with_string_metrics_matches_keras():
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] - x[:, 1] > 0).astype("float32")[:, None]
    names = ["precision", "recall", "auc", "mape", "root_mean_squared_error"]
    k_model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    m_model = mk.Sequential([mk.Input(shape=(4,)), mk.layers.Dense(1, activation="sigmoid")])
    m_model.set_weights(k_model.get_weights())
    results = []
    for model, lib in ((k_model, keras), (m_model, mk)):
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss="binary_crossentropy",
                      metrics=names + [lib.metrics.AUC(curve="PR", name="pr_auc")])
        history = model.fit(x, y, batch_size=16, epochs=2, validation_split=0.25,
                            shuffle=False, verbose=0)
        results.append((history.history, model.evaluate(x, y, verbose=0, return_dict=True)))
    (k_hist, k_eval), (m_hist, m_eval) = results
    assert sorted(m_hist) == sorted(k_hist)
    for key in k_hist:
        close(m_hist[key], k_hist[key], rtol=1e-5, atol=1e-5)
    for key in k_eval:
        close(m_eval[key], k_eval[key], rtol=1e-5, atol=1e-5)


def test_confusion_metrics_in_tf_function_and_distributed():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    with strategy.scope():
        auc, prec = metrics.AUC(multi_label=True), metrics.Precision(top_k=2)

    @tf.function
    def update(y, p):
        auc.update_state(y, p)
        prec.update_state(y, p)

    strategy.run(update, args=(tf.constant(Y2), tf.constant(P2)))
    k_auc, k_prec = keras.metrics.AUC(multi_label=True), keras.metrics.Precision(top_k=2)
    k_auc.update_state(Y2, P2)
    k_prec.update_state(Y2, P2)
    close(auc.result(), k_auc.result())
    close(prec.result(), k_prec.result())
