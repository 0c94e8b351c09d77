"""Diagonal BiLSTM written to ONNX by hand, with each direction's column recurrence as one Scan node.

Tracing the Python loop unrolls it (55 columns x 2 directions x layers, ~15,000 nodes), which
tract takes seconds to optimise. Here the loop body is a small Scan subgraph that runs the same
operations in the same order: skew, 2x1 state-to-state convolution over the padded previous
column, LSTM cell, zeroing outside the image, unskew. The raw weights keep their PyTorch names
and the masks sit beside them (weight x mask in the graph), as in the traced export.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper

from .onnx_graph import Graph, lstm_cell, masked_conv, with_head, zeros_like_slice


def skew(g, x, c, h, w):
    """[N, c, h, w] -> [N, c, h, w+h-1]: pad, flatten, cut, re-cut (diagbilstm.skew)."""
    flat = g.op("Reshape", [g.op("Pad", [x, g.k(0, 0, 0, 0, 0, 0, 0, h)]),
                            g.k(0, c, h * (w + h))])
    cut = g.op("Slice", [flat, g.k(0), g.k(h * (w + h - 1)),
                         g.k(2)])
    return g.op("Reshape", [cut, g.k(0, c, h, w + h - 1)])


def unskew(g, x, c, h, w):
    sw = w + h - 1
    flat = g.op("Reshape", [x, g.k(0, c, h * sw)])
    padded = g.op("Pad", [flat, g.k(0, 0, 0, 0, 0, h)])
    rows = g.op("Reshape", [padded, g.k(0, c, h, sw + 1)])
    return g.op("Slice", [rows, g.k(0), g.k(w),
                          g.k(3)])


def column_body(name, ss_weight, hidden, height):
    """One column: (state, cell, pre column, valid column) -> (state, cell, state as scan output)."""
    b = Graph(f"{name}.column.")
    h_prev, c_prev, pre, valid = (f"{name}.column.{v}" for v in ("h_prev", "c_prev", "pre", "valid"))
    h_next, c_next, h_column = (f"{name}.column.{v}" for v in ("h_next", "c_next", "h_column"))
    axis3 = b.k(3)
    above = b.op("Pad", [h_prev, b.k(0, 0, 1, 0, 0, 0, 0, 0)])
    ss = b.op("Conv", [above, ss_weight])
    gates = b.op("Add", [b.op("Unsqueeze", [pre, b.k(3)]), ss])
    state, cell = lstm_cell(b, gates, c_prev, hidden)
    keep = b.op("Unsqueeze", [valid, b.k(1)])
    b.nodes.append(helper.make_node("Mul", [state, keep], [h_next]))
    b.nodes.append(helper.make_node("Mul", [cell, keep], [c_next]))
    b.nodes.append(helper.make_node("Squeeze", [h_next, axis3], [h_column]))
    f32 = TensorProto.FLOAT
    return helper.make_graph(
        b.nodes, "column", [
            helper.make_tensor_value_info(h_prev, f32, ["N", hidden, height, 1]),
            helper.make_tensor_value_info(c_prev, f32, ["N", hidden, height, 1]),
            helper.make_tensor_value_info(pre, f32, ["N", 4 * hidden, height]),
            helper.make_tensor_value_info(valid, f32, [height]),
        ], [
            helper.make_tensor_value_info(h_next, f32, ["N", hidden, height, 1]),
            helper.make_tensor_value_info(c_next, f32, ["N", hidden, height, 1]),
            helper.make_tensor_value_info(h_column, f32, ["N", hidden, height]),
        ], initializer=b.inits)


def diagonal_lstm(g, x, module, name, valid, hidden, height, width):
    """DiagonalLSTM.forward: x [N, hidden, H, W] -> states [N, hidden, H, W]."""
    pre = skew(g, masked_conv(g, x, module.is_conv, f"{name}.is_conv", [0, 0, 0, 0]), 4 * hidden, height, width)
    ss_weight = g.const(f"{name}.ss_conv.weight", module.ss_conv.weight.detach().numpy())
    zero = zeros_like_slice(g, x, 3)
    _, _, columns = g.op("Scan", [zero, zero, pre, valid], outputs=3, body=column_body(name, ss_weight, hidden, height),
                         num_scan_inputs=2, scan_input_axes=[3, 1], scan_output_axes=[3])
    return unskew(g, columns, hidden, height, width)


def flip_columns(g, x, width):
    return g.op("Gather", [x, g.k(*range(width - 1, -1, -1))], axis=3)


def to_onnx(model, height, width):
    """The whole DiagonalBiLSTM model as an ONNX proto (opset 17, dynamic batch N)."""
    g = Graph("")
    hidden = model.config["hidden"]
    k_in = model.config["kernel_in"]
    valid = g.constant(model.layers[0].lr.valid.numpy().astype(np.float32))
    x = masked_conv(g, "pixels", model.conv_in, "conv_in", [k_in // 2] * 4)
    for n, layer in enumerate(model.layers):
        a = diagonal_lstm(g, x, layer.lr, f"layers.{n}.lr", valid, hidden, height, width)
        b = diagonal_lstm(g, flip_columns(g, x, width), layer.rl, f"layers.{n}.rl", valid, hidden, height, width)
        b = flip_columns(g, b, width)
        # Shift down one row: pad a zero row on top, drop the last.
        b = g.op("Slice", [g.op("Pad", [b, g.k(0, 0, 1, 0, 0, 0, 0, 0)]),
                           g.k(0), g.k(height), g.k(2)])
        x = g.op("Add", [x, masked_conv(g, g.op("Add", [a, b]), layer.out, f"layers.{n}.out", [0, 0, 0, 0])])
    return with_head(g, x, model, height, width, "diagonal_bilstm")


def export(model, out, height, width):
    onnx.save(to_onnx(model, height, width), out)
