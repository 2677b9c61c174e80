"""AutoGraph leaves minikeras's code as it is, as TensorFlow's own rules leave keras's.

Inside a user's ``@tf.function`` (AutoGraph on by default), every Python function it calls
would be transpiled first: for minikeras that costs time on every first trace and buys
nothing, since the library is written to trace as the plain Python it is (its own compiled
functions run with ``autograph=False``). TensorFlow lists ``keras`` among the packages it
never converts (``tensorflow/python/autograph/core/config.py``); this adds ``minikeras`` to
that list. A user's own layer ``call`` or ``train_step`` is converted exactly as under keras:
``train_step`` explicitly by the engine, anything else only when the user's own converted
code calls it directly.

The list is TensorFlow-internal; if it moves, minikeras falls back to being converted, which
is slower to trace but computes the same.
"""
from __future__ import annotations

PACKAGE = "minikeras"


def never_convert(package: str = PACKAGE) -> bool:
    """Adds ``package`` to AutoGraph's do-not-convert rules (once); True if it is there."""
    try:
        from tensorflow.python.autograph.core import config
    except ImportError:  # pragma: no cover - a TensorFlow without the internal module
        return False
    rules = config.CONVERSION_RULES
    if not any(isinstance(r, config.DoNotConvert) and getattr(r, "_prefix", None) == package
               for r in rules):
        config.CONVERSION_RULES = (config.DoNotConvert(package),) + tuple(rules)
    return True


never_convert()
