"""Helpers for ONNX graphs written by hand (the recurrent models' Scan exports)."""
import io

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper


class Graph:
    """Nodes and initializers of one ONNX graph, with fresh names for intermediate values."""

    def __init__(self, prefix):
        self.prefix, self.nodes, self.inits, self.count = prefix, [], [], 0

    def const(self, name, array):
        self.inits.append(numpy_helper.from_array(np.asarray(array), self.prefix + name))
        return self.prefix + name

    def constant(self, array):
        """A Constant node: fixed values that are not weights (shapes, pads, the valid-position mask)."""
        return self.op("Constant", [], value=numpy_helper.from_array(np.asarray(array)))

    def k(self, *values):
        return self.constant(np.array(values, dtype=np.int64))

    def op(self, kind, inputs, outputs=1, **attrs):
        names = [f"{self.prefix}{kind.lower()}_{self.count}_{k}" for k in range(outputs)]
        self.count += 1
        self.nodes.append(helper.make_node(kind, inputs, names, **attrs))
        return names[0] if outputs == 1 else names


def masked_conv(g, x, module, name, pads):
    """Conv with weight x mask, like MaskedConv2d.forward."""
    g.const(f"{name}.weight", module.weight.detach().numpy())
    g.const(f"{name}.mask", module.mask.numpy())
    g.const(f"{name}.bias", module.bias.detach().numpy())
    w = g.op("Mul", [f"{name}.weight", f"{name}.mask"])
    return g.op("Conv", [x, w, f"{name}.bias"], pads=pads)


def lstm_cell(b, gates, c_prev, hidden):
    """layers.lstm_cell: gates = [o, f, i, g] along dim 1; returns (state, cell)."""
    o, f, i, g = b.op("Split", [gates, b.k(hidden, hidden, hidden, hidden)], outputs=4, axis=1)
    cell = b.op("Add", [b.op("Mul", [b.op("Sigmoid", [f]), c_prev]),
                        b.op("Mul", [b.op("Sigmoid", [i]), b.op("Tanh", [g])])])
    return b.op("Mul", [b.op("Sigmoid", [o]), b.op("Tanh", [cell])]), cell


def zeros_like_slice(g, x, axis):
    """Zeros shaped like x's first slice along `axis` (the batch size follows x, no shape arithmetic)."""
    first = g.op("Slice", [x, g.k(0), g.k(1), g.k(axis)])
    return g.op("Mul", [first, g.constant(np.zeros((), dtype=np.float32))])


def with_head(g, x, model, height, width, name):
    """The model's head on x, the logits output, and the whole model proto (opset 17, dynamic batch N)."""
    colours, head = model.head.colours, model.head
    if head.kind == "softmax":
        y = masked_conv(g, g.op("Relu", [x]), head.out1, "head.out1", [0, 0, 0, 0])
        y = masked_conv(g, g.op("Relu", [y]), head.out2, "head.out2", [0, 0, 0, 0])
        y = g.op("Reshape", [y, g.k(0, colours, head.levels, height, width)])
        g.nodes.append(helper.make_node("Transpose", [y], ["logits"], perm=[0, 2, 1, 3, 4]))
    else:
        traced_head(g, x, head, height, width)
    f32 = TensorProto.FLOAT
    graph = helper.make_graph(g.nodes, name,
                              [helper.make_tensor_value_info("pixels", f32, ["N", colours, height, width])],
                              [helper.make_tensor_value_info("logits", f32, ["N", head.levels, colours, height, width])],
                              initializer=g.inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="pixelwise_models")


def traced_head(g, x, head, height, width):
    """Any other head, traced alone by PyTorch and spliced in: its weights under `head.*` (the
    names the native engine reads), its input the features x and the pixels, its output `logits`."""
    feats = torch.zeros(2, head.out1.in_channels, height, width)
    pixels = torch.zeros(2, head.colours, height, width)
    buf = io.BytesIO()
    torch.onnx.export(head.eval(), (feats, pixels), buf, input_names=["head_in", "pixels"], output_names=["logits"],
                      dynamic_axes={"head_in": {0: "N"}, "pixels": {0: "N"}, "logits": {0: "N"}},
                      opset_version=17, do_constant_folding=False, dynamo=False)
    sub = onnx.load_from_string(buf.getvalue()).graph
    weights = {t.name for t in sub.initializer}
    rename = {"head_in": x, **{w: f"head.{w}" for w in weights}}
    for t in sub.initializer:
        t.name = rename[t.name]
        g.inits.append(t)
    for node in sub.node:
        node.input[:] = [rename.get(i, i) for i in node.input]
        g.nodes.append(node)
