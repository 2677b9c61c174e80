"""`register_keras_serializable` and its lookups, as `minikeras.saving` names them (defined in
`minikeras.utils.registration`, which keras also exposes as `keras.utils`)."""
from minikeras.utils.registration import (
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)

__all__ = ["get_custom_objects", "get_registered_name", "get_registered_object",
           "register_keras_serializable"]
