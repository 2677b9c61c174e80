"""A functional model whose outputs are a dict given in unsorted key order, trained with
losses, loss weights and metrics keyed by output: targets reach the right output, as keras."""
import keras
import numpy as np

import minikeras as mk

rng = np.random.default_rng(0)
X = rng.normal(size=(40, 5)).astype("float32")
Y = {"zeta": rng.random(size=(40, 1)).astype("float32"),
     "alpha": np.eye(3, dtype="float32")[rng.integers(0, 3, size=40)]}


def model_of(lib):
    inputs = lib.Input((5,))
    hidden = lib.layers.Dense(4, activation="tanh", name="hidden")(inputs)
    outputs = {"zeta": lib.layers.Dense(1, name="z_head")(hidden),  # not sorted on purpose
               "alpha": lib.layers.Dense(3, name="a_head")(hidden)}
    model = lib.Model(inputs, outputs)
    model.compile(optimizer=lib.optimizers.SGD(0.1),
                  loss={"zeta": "mse", "alpha": lib.losses.CategoricalCrossentropy(
                      from_logits=True)},
                  loss_weights={"zeta": 1.0, "alpha": 0.3}, metrics={"zeta": ["mae"]})
    return model


def test_dict_outputs_train_as_keras():
    ref, ours = model_of(keras), model_of(mk)
    ours.set_weights(ref.get_weights())
    fit = dict(epochs=3, batch_size=8, shuffle=False, verbose=0)
    h_ref, h_ours = ref.fit(X, Y, **fit).history, ours.fit(X, Y, **fit).history
    assert sorted(h_ours) == sorted(h_ref)
    for key in h_ref:
        np.testing.assert_allclose(h_ours[key], h_ref[key], rtol=1e-5, atol=1e-6, err_msg=key)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    p_ours, p_ref = ours.predict(X, verbose=0), ref.predict(X, verbose=0)
    assert sorted(p_ours) == sorted(p_ref)
    for key in p_ref:
        np.testing.assert_allclose(p_ours[key], p_ref[key], rtol=1e-5, atol=1e-6)
