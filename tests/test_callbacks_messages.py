"""Callbacks' verbose messages: keras's text, on stdout or (interactive logging off) logged."""
import logging
from types import SimpleNamespace

import keras
import pytest

import minikeras as mk
from minikeras.callbacks import messages

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


@pytest.fixture
def logged(caplog):
    """Interactive logging off in both libraries; yields a function returning the messages."""
    keras.config.disable_interactive_logging()
    messages.disable_interactive_logging()
    caplog.set_level(logging.INFO)
    # keras logs through absl: an earlier test in this process (pytest-xdist runs several
    # files per worker) may have raised absl's level or stopped its propagation to the root
    absl = logging.getLogger("absl")
    caplog.set_level(logging.INFO, logger="absl")
    extra = not absl.propagate  # else the root's capture already sees absl's records
    if extra:
        absl.addHandler(caplog.handler)
    try:
        yield lambda: [r.getMessage() for r in caplog.records
                       if r.name in ("absl", "minikeras")]
    finally:
        if extra:
            absl.removeHandler(caplog.handler)
        keras.config.enable_interactive_logging()
        messages.enable_interactive_logging()


def _drive(module, make, hooks):
    cb = make(module.callbacks)
    cb.set_model(SimpleNamespace(optimizer=module.optimizers.SGD(0.1), stop_training=False,
                                 get_weights=lambda: [], set_weights=lambda w: None))
    for hook, *args in hooks:
        getattr(cb, hook)(*args)


CASES = {
    "reduce_lr": (lambda c: c.ReduceLROnPlateau(monitor="val_loss", patience=1, factor=0.1,
                                                min_delta=100, verbose=1),
                  [("on_train_begin",), ("on_epoch_end", 0, {"val_loss": 1.0}),
                   ("on_epoch_end", 1, {"val_loss": 1.0})]),
    "scheduler": (lambda c: c.LearningRateScheduler(lambda epoch: 1.0 / (1.0 + epoch),
                                                    verbose=1),
                  [("on_train_begin",), ("on_epoch_begin", 0), ("on_epoch_begin", 1)]),
    "early_stopping": (lambda c: c.EarlyStopping(monitor="loss", patience=1, verbose=1),
                       [("on_train_begin",), ("on_epoch_end", 0, {"loss": 1.0}),
                        ("on_epoch_end", 1, {"loss": 2.0}), ("on_train_end",)]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_logged_messages_match_keras(logged, case):
    make, hooks = CASES[case]
    _drive(keras, make, hooks)
    expected = logged()
    _drive(mk, make, hooks)
    received = logged()[len(expected):]
    assert expected, "keras logged nothing: the case does not exercise a message"
    assert received == expected


def test_printed_when_interactive(capsys, caplog):
    make, hooks = CASES["reduce_lr"]
    caplog.set_level(logging.INFO)
    _drive(mk, make, hooks)
    assert capsys.readouterr().out == \
        "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.010000000149011612.\n"
    assert not [r for r in caplog.records if r.name == "minikeras"]
