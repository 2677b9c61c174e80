"""Named losses for regression errors, hinges and distributions (keras's classes).

Each is a `LossFunctionWrapper` around the function of the same name in
`regression_functions` or `classification_functions`, with keras's signature
(``reduction``, ``name``, ``dtype``) and default name. See `Loss` for the reductions.

Example:
  >>> Hinge()([[0.0, 1.0]], [[0.3, 0.6]])   # 0.85
  >>> CosineSimilarity(axis=1)([[0.0, 1.0]], [[1.0, 1.0]])   # -0.7071
"""
from __future__ import annotations

from typing import Any

from minikeras.losses import classification_functions as C
from minikeras.losses import regression_functions as R
from minikeras.losses.loss import Loss, LossFunctionWrapper

_SUM = "sum_over_batch_size"


class _Named(LossFunctionWrapper):
    """A wrapper whose config is only ``name`` and ``reduction`` (keras's `Loss.get_config`)."""

    fn_default: Any = None

    def __init__(self, reduction: str | None = _SUM, name: str | None = None,
                 dtype: Any = None, **kwargs: Any):
        super().__init__(type(self).fn_default, reduction=reduction,
                         name=name or type(self).default_name, dtype=dtype, **kwargs)

    def get_config(self) -> dict:
        return Loss.get_config(self)


class MeanAbsolutePercentageError(_Named):
    """``100 * mean(|(y_true - y_pred) / max(|y_true|, eps)|)`` per sample, then reduced."""

    fn_default = staticmethod(R.mean_absolute_percentage_error)
    default_name = "mean_absolute_percentage_error"


class MeanSquaredLogarithmicError(_Named):
    """``mean((log(1 + max(y_pred, eps)) - log(1 + max(y_true, eps)))**2)`` per sample."""

    fn_default = staticmethod(R.mean_squared_logarithmic_error)
    default_name = "mean_squared_logarithmic_error"


class LogCosh(_Named):
    """``mean(log(cosh(y_pred - y_true)))`` per sample, then reduced."""

    fn_default = staticmethod(R.log_cosh)
    default_name = "log_cosh"


class CosineSimilarity(_Named):
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`` per sample (-1 is best).

    Args:
      axis: The axis along which the similarity is computed. Default -1.
    """

    fn_default = staticmethod(R.cosine_similarity)
    default_name = "cosine_similarity"

    def __init__(self, axis: int = -1, reduction: str | None = _SUM,
                 name: str = "cosine_similarity", dtype: Any = None):
        super().__init__(reduction=reduction, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict:
        # keras 3.15 drops `axis` here (as `delta` for Huber); minikeras keeps it.
        return {**Loss.get_config(self), "axis": self.axis}


class Hinge(_Named):
    """``mean(max(1 - y_true * y_pred, 0))`` per sample; labels -1/1 (0/1 converted)."""

    fn_default = staticmethod(C.hinge)
    default_name = "hinge"


class SquaredHinge(_Named):
    """``mean(max(1 - y_true * y_pred, 0)**2)`` per sample; labels -1/1 (0/1 converted)."""

    fn_default = staticmethod(C.squared_hinge)
    default_name = "squared_hinge"


class CategoricalHinge(_Named):
    """``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` per sample."""

    fn_default = staticmethod(C.categorical_hinge)
    default_name = "categorical_hinge"


class KLDivergence(_Named):
    """``sum(y_true * log(y_true / y_pred))`` per sample, both clipped to ``[eps, 1]``."""

    fn_default = staticmethod(C.kl_divergence)
    default_name = "kl_divergence"


class Poisson(_Named):
    """``mean(y_pred - y_true * log(y_pred + eps))`` per sample, then reduced."""

    fn_default = staticmethod(C.poisson)
    default_name = "poisson"
