"""Architecture name -> constructor, shared by training and export."""
from .classifier import Classifier
from .diagbilstm import DiagonalBiLSTM
from .gated import GatedPixelCNN
from .pixelcnn import PixelCNN
from .rowlstm import RowLSTM

ARCHS = {
    "pixelcnn": PixelCNN,
    "gated_pixelcnn": GatedPixelCNN,
    "row_lstm": RowLSTM,
    "diagonal_bilstm": DiagonalBiLSTM,
    "classifier": Classifier,
}


def build(arch: str, kwargs: dict):
    return ARCHS[arch](**kwargs)
