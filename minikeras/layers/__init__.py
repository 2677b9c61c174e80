"""Layers: `Dense` and its companions, all `tf.Module`s built lazily on their first input."""
from minikeras.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU
from minikeras.layers.batch_normalization import BatchNormalization
from minikeras.layers.bidirectional import Bidirectional
from minikeras.layers.categorical import CategoryEncoding, Discretization
from minikeras.layers.conv_transpose import Conv1DTranspose, Conv2DTranspose
from minikeras.layers.convolution import Conv1D, Conv2D
from minikeras.layers.core import Activation, Dropout, Flatten, Input, InputLayer, Softmax
from minikeras.layers.cropping import (
    Cropping1D,
    Cropping2D,
    UnitNormalization,
    UpSampling1D,
    ZeroPadding1D,
)
from minikeras.layers.dense import Dense
from minikeras.layers.embedding import Embedding
from minikeras.layers.group_normalization import GroupNormalization
from minikeras.layers.lambda_layer import Identity, Lambda
from minikeras.layers.layer import Layer
from minikeras.layers.merging import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from minikeras.layers.merging_dot import Dot, dot
from minikeras.layers.noise import (
    ActivityRegularization,
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
)
from minikeras.layers.normalization import LayerNormalization
from minikeras.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling1D,
    MaxPooling2D,
)
from minikeras.layers.preprocessing import Normalization, Rescaling
from minikeras.layers.recurrent import GRU, LSTM, SimpleRNN
from minikeras.layers.reshaping import Permute, RepeatVector, Reshape, UpSampling2D, ZeroPadding2D

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Input", "InputLayer", "Layer", "Softmax"]
__all__ += ["Conv1D", "Conv2D", "AveragePooling1D", "AveragePooling2D",
            "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
            "GlobalMaxPooling2D", "MaxPooling1D", "MaxPooling2D"]
__all__ += ["BatchNormalization", "GroupNormalization", "LayerNormalization", "Normalization",
            "Rescaling"]
__all__ += ["Identity", "Lambda", "Permute", "RepeatVector", "Reshape", "UpSampling2D",
            "ZeroPadding2D"]
__all__ += ["Embedding"]
__all__ += ["ELU", "LeakyReLU", "PReLU", "ReLU", "ActivityRegularization", "AlphaDropout",
            "GaussianDropout", "GaussianNoise", "SpatialDropout1D", "SpatialDropout2D"]
__all__ += ["Add", "Average", "Concatenate", "Dot", "Maximum", "Minimum", "Multiply", "Subtract",
            "add", "average", "concatenate", "dot", "maximum", "minimum", "multiply", "subtract"]
__all__ += ["CategoryEncoding", "Discretization"]
__all__ += ["GRU", "LSTM", "SimpleRNN", "Bidirectional"]
__all__ += ["Conv1DTranspose", "Conv2DTranspose", "Cropping1D", "Cropping2D", "UnitNormalization",
            "UpSampling1D", "ZeroPadding1D"]

# keras's other names for the same classes (keras.layers.MaxPool2D is MaxPooling2D)
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
Convolution1D, Convolution2D = Conv1D, Conv2D
__all__ += ["AvgPool1D", "AvgPool2D", "MaxPool1D", "MaxPool2D", "GlobalAvgPool1D",
            "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D", "Convolution1D",
            "Convolution2D"]
Convolution1DTranspose, Convolution2DTranspose = Conv1DTranspose, Conv2DTranspose
__all__ += ["Convolution1DTranspose", "Convolution2DTranspose"]
