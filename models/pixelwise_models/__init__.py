"""PyTorch side of pixelwise: data, architectures, training and ONNX export."""
