#!/usr/bin/env python3
"""Export a small hard-parameter-sharing (HPS) PyTorch model to ONNX for Rep-MTL on Deeplearning4j.

The graph output named ``Z`` is the shared representation Rep-MTL needs; the task heads' outputs
are ``logits_a`` and ``logits_b``. The batch dimension is dynamic. Next to the .onnx it writes the
sample input and PyTorch's outputs as .npy files (C order, little-endian float32) for a forward check
on the Java side: ``<stem>.input.x.npy`` and ``<stem>.output.<name>.npy``.

Usage (PyTorch >= 1.13 and onnx; on Debian: apt-get install python3-torch python3-onnx, then run
it with /usr/bin/python3):
    python3 export_hps_to_onnx.py [OUT.onnx] [--in-channels C] [--size S] [--classes KA KB] [--opset N] [--seed N]
The defaults (hps.onnx, 1 channel, 36x36, 10 and 10 classes) fit the MultiFashion benchmark:
    ./repmtl train --benchmark multifashion --onnx hps.onnx --shared Z --task left=logits_a --task right=logits_b --rep-mtl

Export in eval mode. Keep in mind: PyTorch's default export (TrainingMode.EVAL) folds a BatchNorm
into the preceding convolution; pass training=torch.onnx.TrainingMode.PRESERVE (model in eval mode)
to keep BatchNormalization nodes and the original parameters.
"""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn


class HPSNet(nn.Module):
    """Shared trunk -> Z; head a: conv, relu, max-pool, Linear; head b: conv, global average pool."""

    def __init__(self, in_ch=1, z_ch=8, classes_a=10, classes_b=10, size=36):
        super().__init__()
        self.trunk = nn.Sequential(nn.Conv2d(in_ch, z_ch, 3, padding=1), nn.ReLU())
        self.head_a = nn.Sequential(
            nn.Conv2d(z_ch, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(1),
            nn.Linear(8 * (size // 2) * (size // 2), classes_a))
        self.head_b = nn.Sequential(
            nn.Conv2d(z_ch, classes_b, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten(1))

    def forward(self, x):
        z = self.trunk(x)
        return z, self.head_a(z), self.head_b(z)  # the first output is the shared representation


def save_npy(path, t):
    np.save(path, np.ascontiguousarray(t.detach().cpu().numpy().astype("<f4")))


def main():
    p = argparse.ArgumentParser(description="Export a small HPS PyTorch model to ONNX with a sample input and outputs.")
    p.add_argument("out", nargs="?", default="hps.onnx")
    p.add_argument("--in-channels", type=int, default=1)
    p.add_argument("--size", type=int, default=36, help="input height = width (even)")
    p.add_argument("--classes", type=int, nargs=2, default=[10, 10], metavar=("KA", "KB"))
    p.add_argument("--opset", type=int, default=13)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    out = a.out
    stem = out[:-5] if out.endswith(".onnx") else out
    torch.manual_seed(a.seed)
    model = HPSNet(in_ch=a.in_channels, classes_a=a.classes[0], classes_b=a.classes[1], size=a.size).eval()
    x = torch.rand(2, a.in_channels, a.size, a.size)
    names = ["Z", "logits_a", "logits_b"]
    torch.onnx.export(
        model, (x,), out, opset_version=a.opset, do_constant_folding=True,
        input_names=["x"], output_names=names,
        dynamic_axes={n: {0: "batch"} for n in ["x"] + names})
    try:
        import onnx
        m = onnx.load(out)
        onnx.checker.check_model(m)
        print("ONNX nodes:", [n.op_type for n in m.graph.node])
    except ImportError:
        print("(onnx not installed: skipped the model check)")
    with torch.no_grad():
        outputs = model(x)
    save_npy(f"{stem}.input.x.npy", x)
    for name, t in zip(names, outputs):
        save_npy(f"{stem}.output.{name}.npy", t)
        print(f"{name}: shape {list(t.shape)}")
    print(f"wrote {out} and {os.path.basename(stem)}.input.x.npy / .output.<name>.npy")


if __name__ == "__main__":
    main()
