"""Row LSTM written to ONNX by hand, each layer's row recurrence as one Scan node.

Traced, the Python loop over rows unrolls (28 rows x layers), which tract takes seconds to
optimise in a page. The Scan body runs the same operations as RowLSTMLayer.forward per row: the
1xk state-to-state convolution over the previous row's states, plus that row of the masked 1xk
input-to-state convolution (computed for the whole map before the Scan), then the LSTM cell.
Raw weights keep their PyTorch names, masks beside them, as in the traced export.
"""
import onnx
from onnx import TensorProto, helper

from .onnx_graph import Graph, lstm_cell, masked_conv, with_head, zeros_like_slice


def row_body(name, ss_weight, hidden, width, kernel):
    """One row: (state, cell, pre row) -> (state, cell, state as scan output)."""
    b = Graph(f"{name}.row.")
    h_prev, c_prev, pre = (f"{name}.row.{v}" for v in ("h_prev", "c_prev", "pre"))
    h_next, c_next, h_row = (f"{name}.row.{v}" for v in ("h_next", "c_next", "h_row"))
    ss = b.op("Conv", [h_prev, ss_weight], pads=[0, kernel // 2, 0, kernel // 2])
    gates = b.op("Add", [b.op("Unsqueeze", [pre, b.k(2)]), ss])
    state, cell = lstm_cell(b, gates, c_prev, hidden)
    b.nodes.append(helper.make_node("Identity", [state], [h_next]))
    b.nodes.append(helper.make_node("Identity", [cell], [c_next]))
    b.nodes.append(helper.make_node("Squeeze", [state, b.k(2)], [h_row]))
    f32 = TensorProto.FLOAT
    return helper.make_graph(
        b.nodes, "row", [
            helper.make_tensor_value_info(h_prev, f32, ["N", hidden, 1, width]),
            helper.make_tensor_value_info(c_prev, f32, ["N", hidden, 1, width]),
            helper.make_tensor_value_info(pre, f32, ["N", 4 * hidden, width]),
        ], [
            helper.make_tensor_value_info(h_next, f32, ["N", hidden, 1, width]),
            helper.make_tensor_value_info(c_next, f32, ["N", hidden, 1, width]),
            helper.make_tensor_value_info(h_row, f32, ["N", hidden, width]),
        ], initializer=b.inits)


def to_onnx(model, height, width):
    """The whole RowLSTM model as an ONNX proto (opset 17, dynamic batch N)."""
    g = Graph("")
    hidden, k_in, k = model.config["hidden"], model.config["kernel_in"], model.config["kernel"]
    x = masked_conv(g, "pixels", model.conv_in, "conv_in", [k_in // 2] * 4)
    for n, layer in enumerate(model.layers):
        name = f"layers.{n}"
        pre = masked_conv(g, x, layer.is_conv, f"{name}.is_conv", [0, k // 2, 0, k // 2])
        ss_weight = g.const(f"{name}.ss_conv.weight", layer.ss_conv.weight.detach().numpy())
        zero = zeros_like_slice(g, x, 2)  # [N, hidden, 1, W]
        _, _, rows = g.op("Scan", [zero, zero, pre], outputs=3, body=row_body(name, ss_weight, hidden, width, k),
                          num_scan_inputs=1, scan_input_axes=[2], scan_output_axes=[2])
        x = g.op("Add", [x, masked_conv(g, rows, layer.out, f"{name}.out", [0, 0, 0, 0])])
    return with_head(g, x, model, height, width, "row_lstm")


def export(model, out, height, width):
    onnx.save(to_onnx(model, height, width), out)
