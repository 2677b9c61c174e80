"""Which process writes files when training runs on several machines."""
from __future__ import annotations

from typing import Any

import tensorflow as tf


def is_chief(strategy: Any = None) -> bool:
    """True unless this process is a non-chief worker of a multi-worker strategy.

    The chief is the task of type "chief", or worker 0 when the cluster has no chief (the
    `TF_CONFIG` convention). Callbacks that write files (ModelCheckpoint, BackupAndRestore)
    write only on the chief; every worker reads.
    """
    strategy = strategy or tf.distribute.get_strategy()
    resolver = getattr(strategy, "cluster_resolver", None)
    in_multi_worker = getattr(strategy.extended, "_in_multi_worker_mode", lambda: False)()
    if resolver is None or not in_multi_worker:
        return True
    task_type, task_id = resolver.task_type, resolver.task_id
    if task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return task_type == "worker" and task_id == 0 and not has_chief
