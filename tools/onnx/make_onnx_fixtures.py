#!/usr/bin/env python3
"""ONNX fixtures of hard-parameter-sharing (HPS) multi-task nets with Rep-MTL reference values.

Run by hand with Debian's Python (PyTorch and ONNX are Debian packages there; CI has no PyTorch):

    apt-get install -y python3-torch python3-onnx python3-numpy
    /usr/bin/python3 tools/onnx/make_onnx_fixtures.py [OUT_DIR]

(default OUT_DIR: repmtl-onnx/src/test/resources/onnx). Written with PyTorch 1.13 and ONNX 1.12.

Two small PyTorch HPS models (float32 weights from a seeded torch.Generator), input x [4,3,8,8]; each
forward returns (Z, head outputs) and every export names the shared trunk activation as the graph
output ``Z``:

- ``basic``: Z = relu(conv3x3(x)) [4,4,8,8]; head a: conv1x1 -> AdaptiveAvgPool2d(1) (ONNX
  GlobalAveragePool) -> flatten -> logits_a [4,5]; head b: conv3x3 -> mean over H,W -> logits_b [4,3].
  Both heads classification (cross-entropy, batch mean). Exported at opset 11 and 13, with constant
  folding on and off: basic-opset{11,13}-{fold,nofold}.onnx.
- ``rich``: same trunk; head a: conv3x3 -> BatchNorm2d -> relu -> MaxPool2d(2) -> flatten -> Linear
  (ONNX Gemm with bias) -> logits_a [4,5], classification; head b: conv3x3 stride 2 -> sigmoid ->
  bilinear resize to 8x8 (align_corners False, ONNX Resize) -> conv1x1 -> pred_b [4,1,8,8], masked-L1
  depth. Exported at opset 11 and 13 with constant folding on and the model in eval mode. PyTorch's
  default export mode (TrainingMode.EVAL) fuses the batch norm into the preceding convolution; the
  fixtures rich-opset{11,13}.onnx are therefore exported with TrainingMode.PRESERVE (model in eval
  mode), which keeps an explicit BatchNormalization node (inference form, running statistics). The
  fused EVAL exports are also written, as forward-only fixtures rich-opset{11,13}-evalfused.onnx.

For every .onnx a .json of the same stem holds the parameters as read back from the ONNX initializers
(float64 values equal to the stored float32), the data, PyTorch's float64 forward outputs, and per
Rep-MTL configuration the reference values of shared/spec/REP-MTL.md (format of shared/golden/README.md):
task losses, objective terms, saliencies dl_t/dZ, TSR, CSA, J and dJ/dparam keyed by ONNX initializer
name. The references are computed in float64 on a float64 copy of the model (weights = the float32
weights upcast) by exact double backprop (saliencies with create_graph=True); in ``rich`` the batch norm
runs in training mode (batch statistics, biased variance) for them. Every gradient entry is checked by
float64 central differences of J (h = 1e-6); the script fails if the error exceeds 1e-6. Seeds are
chosen so that no ReLU pre-activation, max-pool tie, |pred - target| of the L1 loss or TSR |channel mean|
sits near its kink, and no TSR share P_t is below 1e-3. Every written .onnx is also evaluated in float64 by a small numpy interpreter
(this file) and compared with the recorded eval-mode forward outputs.
"""
import copy
import json
import math
import os
import sys
import warnings

import numpy as np
import onnx
from onnx import helper, numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in tools/golden
sys.path.insert(0, os.path.join(ROOT, "tools", "golden"))
from make_bn_bias_fixture import csa, tensor_json, tsr, valid_mask  # noqa: E402

torch.set_default_dtype(torch.float32)  # make_bn_bias_fixture sets float64 on import; models are float32
DT = torch.float64

B, CIN, H, W = 4, 3, 8, 8
C = 4
K_A, K_B = 5, 3
BN_EPS, BN_MOMENTUM = 1e-5, 0.1
FD_H = 1e-6
FD_TOL = 1e-6
KINK_MARGIN = 1e-4

CONFIGS = [
    {"logTransform": False, "lambdaTsr": 0.9, "lambdaCsa": 0.9, "tau": 0.5, "csaVariant": "paper"},
    {"logTransform": True, "lambdaTsr": 1.3, "lambdaCsa": 0.7, "tau": 0.2, "csaVariant": "infonce"},
]


# ---- models ---------------------------------------------------------------------------------------
class Trunk(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(CIN, C, 3, padding=1)

    def forward(self, x):
        return torch.relu(self.conv(x))


class BasicHeadA(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(C, K_A, 1)
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward(self, z):
        return torch.flatten(self.pool(self.conv(z)), 1)


class BasicHeadB(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(C, K_B, 3, padding=1)

    def forward(self, z):
        return self.conv(z).mean(dim=(2, 3))


class RichHeadA(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(C, 6, 3, padding=1)
        self.bn = nn.BatchNorm2d(6, eps=BN_EPS, momentum=BN_MOMENTUM)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(6 * 4 * 4, K_A)

    def pre_relu(self, z):
        return self.bn(self.conv(z))

    def forward(self, z):
        return self.fc(torch.flatten(self.pool(torch.relu(self.pre_relu(z))), 1))


class RichHeadB(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(C, 3, 3, stride=2, padding=1)
        self.out = nn.Conv2d(3, 1, 1)

    def forward(self, z):
        h = torch.sigmoid(self.conv(z))
        h = F.interpolate(h, size=(H, W), mode="bilinear", align_corners=False)
        return self.out(h)


class HPS(nn.Module):
    def __init__(self, head_a, head_b):
        super().__init__()
        self.trunk = Trunk()
        self.head_a = head_a
        self.head_b = head_b

    def forward(self, x):
        z = self.trunk(x)
        return z, self.head_a(z), self.head_b(z)


MODELS = {
    "basic": {
        "make": lambda: HPS(BasicHeadA(), BasicHeadB()),
        "tasks": [{"name": "a", "kind": "classification", "outputs": K_A, "output": "logits_a", "loss": "softmax_ce"},
                  {"name": "b", "kind": "classification", "outputs": K_B, "output": "logits_b", "loss": "softmax_ce"}],
        "description": (
            "HPS, PyTorch modules, NCHW. x [4,3,8,8]. Trunk: Z = relu(conv2d(x, trunk.conv, 3x3, stride 1, pad 1)) "
            "[4,4,8,8] (graph output 'Z'). Head a: conv2d(Z, head_a.conv, 1x1) [4,5,8,8] -> AdaptiveAvgPool2d(1) "
            "(ONNX GlobalAveragePool) -> flatten(1) -> logits_a [4,5]; L_a = mean cross-entropy with labels a. "
            "Head b: conv2d(Z, head_b.conv, 3x3, pad 1) [4,3,8,8] -> mean over H,W (ONNX ReduceMean axes [2,3]) "
            "-> logits_b [4,3]; L_b = mean cross-entropy with labels b. Conv weights OIHW, biases [out]."),
        "seed": 1000,
    },
    "rich": {
        "make": lambda: HPS(RichHeadA(), RichHeadB()),
        "tasks": [{"name": "a", "kind": "classification", "outputs": K_A, "output": "logits_a", "loss": "softmax_ce"},
                  {"name": "b", "kind": "depth", "outputs": 1, "output": "pred_b", "loss": "masked_l1"}],
        "description": (
            "HPS, PyTorch modules, NCHW. x [4,3,8,8]. Trunk: Z = relu(conv2d(x, trunk.conv, 3x3, stride 1, pad 1)) "
            "[4,4,8,8] (graph output 'Z'). Head a: conv2d(Z, head_a.conv, 3x3, pad 1) [4,6,8,8] -> "
            "BatchNorm2d(head_a.bn, eps 1e-5, momentum 0.1) -> relu -> MaxPool2d(kernel 2, stride 2, no pad) "
            "[4,6,4,4] -> flatten(1) [4,96] -> Linear(head_a.fc, 96->5, ONNX Gemm transB=1 with bias) -> logits_a "
            "[4,5]; L_a = mean cross-entropy with labels a. Head b: conv2d(Z, head_b.conv, 3x3, stride 2, pad 1) "
            "[4,3,4,4] -> sigmoid -> bilinear resize to 8x8 (align_corners False = ONNX Resize linear half_pixel) "
            "-> conv2d(head_b.out, 1x1) -> pred_b [4,1,8,8]; depth task: mask = (target != 0), "
            "L_b = sum(|pred_b - target| * mask) / count(mask). Conv weights OIHW, biases [out]; Gemm weight "
            "[out,in] as in PyTorch (transB=1)."),
        "description_refs": (
            " Batch norm: the ONNX graph holds an inference-mode BatchNormalization node (running statistics in "
            "'buffers'; forward.eval uses them); the Rep-MTL references ('results') use TRAINING-mode batch norm "
            "(batch statistics over N,H,W, biased variance, as PyTorch train()), see batchNormStatistics; "
            "forward.train gives the outputs in that mode. head_a.conv.bias feeds the training-mode batch norm: J "
            "does not depend on it, its exact gradient is 0 and its reference entries are rounding noise (the "
            "README's gradient floor covers that)."),
        "seed": 2000,
    },
}


def init_model(model, g):
    """Uniform weights with variance ~ gain/fan_in so activations are O(1); all float32."""
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, (nn.Conv2d, nn.Linear)):
                fan_in = mod.weight[0].numel()
                a = math.sqrt(3.0 * 2.0 / fan_in)  # variance 2/fan_in: keeps the scale through a relu
                mod.weight.copy_((torch.rand(mod.weight.shape, generator=g) * 2 - 1) * a)
                mod.bias.copy_((torch.rand(mod.bias.shape, generator=g) * 2 - 1) * 0.3)
            elif isinstance(mod, nn.BatchNorm2d):
                n = mod.num_features
                mod.weight.copy_(1 + (torch.rand(n, generator=g) * 2 - 1) * 0.3)
                mod.bias.copy_((torch.rand(n, generator=g) * 2 - 1) * 0.2)
                mod.running_mean.copy_((torch.rand(n, generator=g) * 2 - 1) * 0.5)
                mod.running_var.copy_(0.5 + 1.5 * torch.rand(n, generator=g))
    return model


def make_data(name, g):
    x = torch.randn(B, CIN, H, W, generator=g)  # float32: the float64 copy is exactly representable
    a = torch.randint(0, K_A, (B,), generator=g)
    if name == "basic":
        b = torch.randint(0, K_B, (B,), generator=g)
    else:
        b = 0.5 + 2.5 * torch.rand(B, 1, H, W, generator=g)
        b[torch.rand(B, 1, H, W, generator=g) < 0.2] = 0.0
    return {"x": x, "a": a, "b": b}


def data64(d):
    return {k: (v.to(DT) if v.is_floating_point() else v) for k, v in d.items()}


# ---- Rep-MTL (shared/spec/REP-MTL.md) on a float64 model --------------------------------------------
def task_losses(name, outs, d):
    La = F.cross_entropy(outs[0], d["a"], reduction="mean")
    if name == "basic":
        Lb = F.cross_entropy(outs[1], d["b"], reduction="mean")
    else:
        m = valid_mask(d["b"])
        Lb = ((outs[1] - d["b"]).abs() * m[:, None]).sum() / m.sum()
    return [La, Lb]


def evaluate(name, model64, d, cfg, create_graph):
    Z, out_a, out_b = model64(d["x"])
    Ls = task_losses(name, [out_a, out_b], d)
    ls = [torch.log(L) if cfg["logTransform"] else L for L in Ls]
    S = [torch.autograd.grad(l, Z, create_graph=create_graph, retain_graph=True)[0] for l in ls]
    St = torch.stack(S)
    r_tsr = tsr(St)
    r_csa = csa(St, cfg["tau"], cfg["csaVariant"])
    J = sum(ls) + cfg["lambdaTsr"] * r_tsr + cfg["lambdaCsa"] * r_csa
    return {"L": Ls, "l": ls, "S": S, "tsr": r_tsr, "csa": r_csa, "J": J}


def to64(model32, train):
    m = copy.deepcopy(model32).double()
    m.train(train)
    return m


def kink_margins(name, model32, d):
    """Distances to the kinks a central difference must not straddle (in the mode used for J)."""
    m = to64(model32, train=(name == "rich"))
    x = d["x"]
    out = {}
    with torch.no_grad():
        pre = m.trunk.conv(x)
        out["trunk relu |pre|"] = pre.abs().min().item()
        z = torch.relu(pre)
        if name == "rich":
            hb = m.head_a.pre_relu(z)
            out["head_a relu |pre|"] = hb.abs().min().item()
            r = torch.relu(hb)                                       # [B,6,8,8] -> 2x2 windows
            win = r.reshape(B, 6, 4, 2, 4, 2).permute(0, 1, 2, 4, 3, 5).reshape(B, 6, 4, 4, 4)
            top = win.sort(dim=-1, descending=True).values
            live = top[..., 0] > 0
            out["max-pool top-2 gap"] = (top[..., 0] - top[..., 1])[live].min().item()
            _, _, pred = m(x)
            mask = valid_mask(d["b"])[:, None].bool()
            out["L1 |pred - target|"] = (pred - d["b"]).abs()[mask].min().item()
    # TSR: |Sh_t| has a kink at 0, and -P ln P with P = a_t / sum_k a_k grows a third derivative ~ 1/P^2
    # as a position's P_t -> 0: a central difference with h = 1e-6 then has a truncation error above 1e-6
    # (seen: 1.2e-5 at min P = 4e-4). Require min P >= 1e-3 in every config.
    min_p = 1.0
    for cfg in CONFIGS:
        r = evaluate(name, to64(model32, train=(name == "rich")), d, cfg, create_graph=False)
        a = torch.stack([s.mean(dim=1).abs() for s in r["S"]]) + 1e-12
        min_p = min(min_p, (a / a.sum(dim=0, keepdim=True)).min().item())
    out["TSR min P"] = min_p
    return out


MARGINS = {"TSR min P": 1e-3}  # others: KINK_MARGIN


def margins_ok(margins):
    return all(v >= MARGINS.get(k, KINK_MARGIN) for k, v in margins.items())


def references(name, model32, d):
    """results[] keyed by PyTorch parameter name, and the worst central-difference error."""
    train = name == "rich"
    results, report = [], []
    worst = 0.0
    for cfg in CONFIGS:
        m = to64(model32, train)
        names = [k for k, _ in m.named_parameters()]
        params = dict(m.named_parameters())
        r = evaluate(name, m, d, cfg, create_graph=True)
        grads = torch.autograd.grad(r["J"], [params[k] for k in names])
        grads = {k: gr.detach().clone() for k, gr in zip(names, grads)}
        scale = max(gr.abs().max().item() for gr in grads.values())
        floor = 1e-8 * scale  # shared/golden/README.md
        zero_grad = ["head_a.conv.bias"] if name == "rich" else []

        def J_of():
            return evaluate(name, m, d, cfg, create_graph=False)["J"].item()

        err, zero_fd = 0.0, 0.0
        per_tensor = {}
        for k in names:
            p = params[k]
            fd = torch.zeros_like(p)
            for i in range(p.numel()):
                orig = p.view(-1)[i].item()
                vals = []
                for sgn in (1.0, -1.0):
                    with torch.no_grad():
                        p.view(-1)[i] = orig + sgn * FD_H
                    vals.append(J_of())
                with torch.no_grad():
                    p.view(-1)[i] = orig
                fd.view(-1)[i] = (vals[0] - vals[1]) / (2 * FD_H)
            ref = grads[k]
            if k in zero_grad:  # exact gradient 0: checked below, not relative to its own rounding noise
                zero_fd = max(zero_fd, fd.abs().max().item())
                continue
            e = (fd - ref).abs().max().item() / max(ref.abs().max().item(), floor)
            per_tensor[k] = e
            err = max(err, e)
        msg = (f"  {name} {cfg}: J={r['J'].item():.12g} L={[round(L.item(), 6) for L in r['L']]} "
               f"tsr={r['tsr'].item():.6g} csa={r['csa'].item():.6g} gradient scale {scale:.3e}; "
               f"central differences: max tensor error {err:.3e} (README floor {floor:.1e})")
        worst_k = max(per_tensor, key=per_tensor.get)
        msg += f", worst tensor {worst_k}"
        if zero_grad:
            # J does not depend on a bias before a training-mode batch norm: autodiff gives rounding noise,
            # central differences give their own noise (~eps*|J|/h), and shifting the bias by 1 leaves J unchanged.
            j0 = J_of()
            shift = 0.0
            for k in zero_grad:
                with torch.no_grad():
                    params[k] += 1.0
                shift = max(shift, abs(J_of() - j0))
                with torch.no_grad():
                    params[k] -= 1.0
            auto = max(grads[k].abs().max().item() for k in zero_grad)
            msg += (f"; exact-zero gradient {', '.join(zero_grad)}: autodiff max |g| {auto:.2e}, central differences "
                    f"max |g| {zero_fd:.2e}, |J(b+1) - J(b)| {shift:.2e}")
            if not (auto < 1e-14 and zero_fd < 1e-8 * max(scale, 1.0) and shift < 1e-12):
                print(msg)
                raise SystemExit(f"{name}: a bias before the training-mode batch norm has a non-zero gradient")
        print(msg)
        report.append(msg)
        worst = max(worst, err)
        results.append({"cfg": cfg, "r": r, "grads": grads})
    return results, worst, report


def forward_outputs(model32, d, output_names, train):
    m = to64(model32, train)
    with torch.no_grad():
        outs = m(d["x"])
    return {n: o for n, o in zip(output_names, outs)}


# ---- export and mapping of initializers -----------------------------------------------------------
def export(model32, path, opset, fold, training, output_names, x32):
    dyn = {n: {0: "batch"} for n in ["x"] + output_names}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model32, (x32,), path, opset_version=opset, do_constant_folding=fold,
                          training=training, input_names=["x"], output_names=output_names, dynamic_axes=dyn)
    om = onnx.load(path)
    onnx.checker.check_model(om, full_check=True)
    return om


def map_initializers(om, model32):
    """ONNX initializer -> (PyTorch name, kind 'param'|'buffer', transform 'identity'|'transpose'), by value."""
    inits = {i.name: numpy_helper.to_array(i) for i in om.graph.initializer}
    tp = {k: v.detach().numpy() for k, v in model32.named_parameters()}
    tb = {k: v.detach().numpy() for k, v in model32.named_buffers() if not k.endswith("num_batches_tracked")}
    mapping, other = {}, []
    for oname, arr in inits.items():
        cands = []
        for kind, src in (("param", tp), ("buffer", tb)):
            for tname, tarr in src.items():
                if arr.dtype != np.float32:
                    continue
                if arr.shape == tarr.shape and np.array_equal(arr, tarr):
                    cands.append((tname, kind, "identity"))
                elif tarr.ndim == 2 and arr.shape == tarr.T.shape and np.array_equal(arr, tarr.T):
                    cands.append((tname, kind, "transpose"))
        if len(cands) > 1:
            cands = [c for c in cands if c[0] == oname] or cands
        if len(cands) > 1:
            raise SystemExit(f"initializer {oname} matches several PyTorch tensors: {cands}")
        if cands:
            mapping[oname] = cands[0]
        else:
            if oname in tp or oname in tb:
                print(f"  note: initializer {oname} carries a PyTorch name but not its values")
            other.append(oname)
    mapped = {v[0] for v in mapping.values()}
    unmapped = [k for k in tp if k not in mapped]
    unmapped_buffers = [k for k in tb if k not in mapped]
    return inits, mapping, other, unmapped, unmapped_buffers


def node_lines(om):
    lines = []
    for n in om.graph.node:
        attrs = []
        for a in n.attribute:
            v = helper.get_attribute_value(a)
            if a.name == "value":
                t = numpy_helper.to_array(v)
                v = t.tolist() if t.size <= 8 else f"<{t.dtype} {list(t.shape)}>"
            elif isinstance(v, bytes):
                v = v.decode()
            attrs.append(f"{a.name}={v}")
        lines.append(f"{n.op_type}({', '.join(i if i else '<none>' for i in n.input)}) -> "
                     f"{', '.join(n.output)}" + (f"  [{'; '.join(attrs)}]" if attrs else ""))
    return lines


# ---- a small float64 ONNX interpreter for the ops used here (independent check of each file) --------
def _conv(x, w, b, a):
    k = a.get("kernel_shape", list(w.shape[2:]))
    s = a.get("strides", [1, 1])
    p = a.get("pads", [0, 0, 0, 0])
    dl = a.get("dilations", [1, 1])
    assert a.get("group", 1) == 1 and a.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET")
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[2]), (p[1], p[3])))
    Ho = (xp.shape[2] - dl[0] * (k[0] - 1) - 1) // s[0] + 1
    Wo = (xp.shape[3] - dl[1] * (k[1] - 1) - 1) // s[1] + 1
    y = np.zeros((x.shape[0], w.shape[0], Ho, Wo))
    for i in range(k[0]):
        for j in range(k[1]):
            patch = xp[:, :, i * dl[0]: i * dl[0] + s[0] * Ho: s[0], j * dl[1]: j * dl[1] + s[1] * Wo: s[1]]
            y += np.einsum("bchw,oc->bohw", patch, w[:, :, i, j])
    if b is not None:
        y += b[None, :, None, None]
    return y


def _maxpool(x, a):
    k, s = a["kernel_shape"], a.get("strides", [1, 1])
    p = a.get("pads", [0, 0, 0, 0])
    assert not a.get("ceil_mode", 0) and a.get("dilations", [1, 1]) == [1, 1]
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[2]), (p[1], p[3])), constant_values=-np.inf)
    Ho = (xp.shape[2] - k[0]) // s[0] + 1
    Wo = (xp.shape[3] - k[1]) // s[1] + 1
    y = np.full(x.shape[:2] + (Ho, Wo), -np.inf)
    for i in range(k[0]):
        for j in range(k[1]):
            y = np.maximum(y, xp[:, :, i: i + s[0] * Ho: s[0], j: j + s[1] * Wo: s[1]])
    return y


def _resize_linear_axis(x, axis, out_len, mode):
    n = x.shape[axis]
    o = np.arange(out_len, dtype=np.float64)
    scale = out_len / n
    if mode == "align_corners":
        src = o * (n - 1) / (out_len - 1) if out_len > 1 else np.zeros_like(o)
    elif mode == "pytorch_half_pixel":
        src = (o + 0.5) / scale - 0.5 if out_len > 1 else np.zeros_like(o)
    elif mode == "half_pixel":
        src = (o + 0.5) / scale - 0.5
    elif mode == "asymmetric":
        src = o / scale
    else:
        raise ValueError(mode)
    src = np.clip(src, 0, n - 1)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    wgt = src - lo
    xl, xh = np.take(x, lo, axis=axis), np.take(x, hi, axis=axis)
    shp = [1] * x.ndim
    shp[axis] = out_len
    return xl * (1 - wgt.reshape(shp)) + xh * wgt.reshape(shp)


def run_onnx_numpy(om, feeds):
    env = {k: v for k, v in feeds.items()}
    for i in om.graph.initializer:
        a = numpy_helper.to_array(i)
        env[i.name] = a.astype(np.float64) if a.dtype == np.float32 else a
    for n in om.graph.node:
        a = {at.name: helper.get_attribute_value(at) for at in n.attribute}
        x = [env[i] if i else None for i in n.input]
        op = n.op_type
        if op == "Constant":
            v = numpy_helper.to_array(a["value"])
            y = v.astype(np.float64) if v.dtype == np.float32 else v
        elif op == "Identity":
            y = x[0]
        elif op == "Conv":
            y = _conv(x[0], x[1], x[2] if len(x) > 2 else None, a)
        elif op == "Relu":
            y = np.maximum(x[0], 0)
        elif op == "Sigmoid":
            y = 1 / (1 + np.exp(-x[0]))
        elif op == "GlobalAveragePool":
            y = x[0].mean(axis=(2, 3), keepdims=True)
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = x[0].reshape(int(np.prod(x[0].shape[:ax])), -1)
        elif op == "ReduceMean":
            y = x[0].mean(axis=tuple(a["axes"]), keepdims=bool(a.get("keepdims", 1)))
        elif op == "Gemm":
            A = x[0].T if a.get("transA", 0) else x[0]
            Bm = x[1].T if a.get("transB", 0) else x[1]
            y = a.get("alpha", 1.0) * A @ Bm
            if len(x) > 2 and x[2] is not None:
                y = y + a.get("beta", 1.0) * x[2]
        elif op == "MaxPool":
            y = _maxpool(x[0], a)
        elif op == "BatchNormalization":
            sh = (1, -1, 1, 1)
            y = (x[0] - x[3].reshape(sh)) / np.sqrt(x[4].reshape(sh) + a.get("epsilon", 1e-5)) \
                * x[1].reshape(sh) + x[2].reshape(sh)
        elif op == "Shape":
            y = np.array(x[0].shape, dtype=np.int64)
        elif op == "Slice":
            starts, ends = x[1], x[2]
            axes = x[3] if len(x) > 3 and x[3] is not None else np.arange(len(starts))
            steps = x[4] if len(x) > 4 and x[4] is not None else np.ones(len(starts), dtype=np.int64)
            sl = [slice(None)] * x[0].ndim
            for s0, e0, ax, st in zip(starts, ends, axes, steps):
                sl[int(ax)] = slice(int(s0), int(min(e0, 2 ** 62)), int(st))
            y = x[0][tuple(sl)]
        elif op == "Concat":
            y = np.concatenate(x, axis=a["axis"])
        elif op == "Gather":
            y = np.take(x[0], x[1], axis=a.get("axis", 0))
        elif op == "Unsqueeze":
            axes = a["axes"] if "axes" in a else list(x[1])
            y = x[0]
            for ax in sorted(axes):
                y = np.expand_dims(y, ax)
        elif op == "Cast":
            y = x[0].astype({1: np.float64, 7: np.int64, 11: np.float64}[a["to"]])
        elif op == "Resize":
            assert a.get("mode", b"nearest") in (b"linear", "linear"), a
            ctm = a.get("coordinate_transformation_mode", b"half_pixel")
            ctm = ctm.decode() if isinstance(ctm, bytes) else ctm
            sizes = x[3] if len(x) > 3 and x[3] is not None and x[3].size else None
            if sizes is None:
                scales = x[2]
                sizes = [int(math.floor(d * s)) for d, s in zip(x[0].shape, scales)]
            assert list(sizes[:2]) == list(x[0].shape[:2])
            y = _resize_linear_axis(x[0], 2, int(sizes[2]), ctm)
            y = _resize_linear_axis(y, 3, int(sizes[3]), ctm)
        else:
            raise ValueError(f"numpy interpreter: op {op} not supported")
        env[n.output[0]] = y
    return {o.name: env[o.name] for o in om.graph.output}


# ---- fixture JSON ---------------------------------------------------------------------------------
def t64(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float64))


def fixture_json(name, spec, fname, opset, fold, export_mode, om, model32, d32, refs, fwd, output_names,
                 forward_only, extra_desc):
    inits, mapping, other, unmapped, unmapped_buf = map_initializers(om, model32)
    params = {o: v for o, v in mapping.items() if v[1] == "param"}
    buffers = {o: v for o, v in mapping.items() if v[1] == "buffer"}
    transposed = {o: v[0] for o, v in params.items() if v[2] == "transpose"}
    desc = spec["description"] + ("" if forward_only else spec.get("description_refs", ""))
    if transposed:
        desc += (" Constant folding stored these parameters transposed in the ONNX file (params and gradients "
                 "are given in the ONNX layout, i.e. the transposes of PyTorch's tensor and gradient): "
                 + ", ".join(f"{o} = {t}^T" for o, t in transposed.items()) + ".")
    desc += extra_desc
    model = {"onnx": fname, "opset": opset, "constantFolding": fold, "exportTrainingMode": export_mode,
             "input": "x", "shared": "Z", "outputs": output_names, "tasks": spec["tasks"]}
    if name == "rich" and not forward_only:
        model["batchNormStatistics"] = "batch"
    if forward_only:
        model["forwardOnly"] = True
    model["description"] = desc
    model["onnxOpTypes"] = [n.op_type for n in om.graph.node]
    model["nonParameterInitializers"] = other
    fx = {"model": model,
          "params": {o: tensor_json(t64(inits[o])) for o in params},
          "pytorchNames": {o: v[0] for o, v in params.items()},
          "unmappedParameters": unmapped}
    if buffers or unmapped_buf:
        fx["buffers"] = {o: tensor_json(t64(inits[o])) for o in buffers}
        fx["bufferPytorchNames"] = {o: v[0] for o, v in buffers.items()}
        if unmapped_buf:
            fx["unmappedBuffers"] = unmapped_buf
    data = {"x": tensor_json(d32["x"].to(DT), "float64"), "a": tensor_json(d32["a"], "int64")}
    data["b"] = tensor_json(d32["b"].to(DT), "float64") if d32["b"].is_floating_point() \
        else tensor_json(d32["b"], "int64")
    fx["data"] = data
    fx["forward"] = {mode: {k: tensor_json(v) for k, v in outs.items()} for mode, outs in fwd.items()
                     if mode == "eval" or not forward_only}
    results = []
    if not forward_only:
        for e in refs:
            r, grads = e["r"], e["grads"]
            g = {}
            for o, (tname, _, tr) in params.items():
                gr = grads[tname]
                g[o] = tensor_json(gr.t() if tr == "transpose" else gr)
            results.append({
                "config": e["cfg"],
                "taskLosses": [L.item() for L in r["L"]],
                "objectiveTerms": [l.item() for l in r["l"]],
                "saliency": [tensor_json(s) for s in r["S"]],
                "tsr": r["tsr"].item(),
                "csa": r["csa"].item(),
                "objective": r["J"].item(),
                "gradients": g,
            })
    fx["results"] = results
    about = ("ONNX fixture exported with torch.onnx.export (PyTorch " + torch.__version__ + ", ONNX " + onnx.__version__
             + ", tools/onnx/make_onnx_fixtures.py). 'params' are the ONNX initializers (float32 in the file, "
             "given as float64) matched to PyTorch parameters by value; 'forward' are PyTorch float64 outputs of a "
             "float64 copy of the model (weights = the float32 weights upcast). ")
    if forward_only:
        about += ("Forward-only fixture: the export fused parameters so no Rep-MTL references are given "
                  "(see unmappedParameters).")
    else:
        about += ("'results' are the Rep-MTL quantities of shared/spec/REP-MTL.md for each config, computed in "
                  "float64 by exact double backprop (saliency = autograd.grad(l_t, Z, create_graph=True), then "
                  "dJ/dparam); 'gradients' are dJ/dparam keyed by ONNX initializer name; every entry checked "
                  "against float64 central differences of J (h = 1e-6).")
    fx["about"] = about
    return fx, mapping, other, unmapped


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        ROOT, "repmtl-onnx", "src", "test", "resources", "onnx")
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    summary = []
    failed = False
    for name, spec in MODELS.items():
        print(f"== model {name}")
        # choose a seed whose weights and data keep every kink at a distance
        for seed in range(spec["seed"], spec["seed"] + 200):
            g = torch.Generator().manual_seed(seed)
            model32 = init_model(spec["make"](), g).eval()
            d32 = make_data(name, g)
            margins = kink_margins(name, model32, data64(d32))
            if margins_ok(margins):
                break
            print(f"  seed {seed} rejected: " + ", ".join(f"{k}={v:.2e}" for k, v in margins.items()))
        else:
            raise SystemExit("no seed keeps the kinks at a distance")
        print(f"  seed {seed}; kink margins: " + ", ".join(f"{k}={v:.2e}" for k, v in margins.items()))
        assert margins_ok(margins)
        d = data64(d32)
        refs, worst, fd_report = references(name, model32, d)
        print(f"  worst central-difference error {worst:.3e}")
        if not (worst < FD_TOL and math.isfinite(worst)):
            failed = True
        out_names = ["Z"] + [t["output"] for t in spec["tasks"]]
        fwd = {"eval": forward_outputs(model32, d, out_names, train=False)}
        if name == "rich":
            fwd["train"] = forward_outputs(model32, d, out_names, train=True)
        before = {k: v.detach().clone() for k, v in model32.state_dict().items()}

        if name == "basic":
            variants = [(f"basic-opset{o}-{'fold' if f else 'nofold'}", o, f, "EVAL", False, "")
                        for o in (11, 13) for f in (True, False)]
        else:
            variants = [(f"rich-opset{o}", o, True, "PRESERVE", False,
                         " Exported with training=TrainingMode.PRESERVE on the model in eval mode (PyTorch's default "
                         "TrainingMode.EVAL fuses the batch norm into head_a.conv; see the -evalfused files).")
                        for o in (11, 13)]
            variants += [(f"rich-opset{o}-evalfused", o, True, "EVAL", True,
                          " Exported with the default training=TrainingMode.EVAL: the exporter fused head_a.bn "
                          "(running statistics) into head_a.conv, whose fused weight and bias are new initializers "
                          "not equal to any PyTorch parameter; head_a.bn.* and head_a.conv.* are unmapped. "
                          "Forward-only fixture (eval-mode outputs), no Rep-MTL references.")
                         for o in (11, 13)]
        for stem, opset, fold, mode, forward_only, extra in variants:
            path = os.path.join(out_dir, stem + ".onnx")
            tm = torch.onnx.TrainingMode.PRESERVE if mode == "PRESERVE" else torch.onnx.TrainingMode.EVAL
            om = export(model32, path, opset, fold, tm, out_names, d32["x"])
            for k, v in model32.state_dict().items():
                assert torch.equal(v, before[k]), f"export changed {k}"
            fx, mapping, other, unmapped = fixture_json(
                name, spec, stem + ".onnx", opset, fold, mode, om, model32, d32, refs, fwd, out_names,
                forward_only, extra)
            ops = [n.op_type for n in om.graph.node]
            if name == "rich" and not forward_only and "BatchNormalization" not in ops:
                raise SystemExit(f"{stem}: no BatchNormalization node")
            if name == "basic" and "GlobalAveragePool" not in ops:
                raise SystemExit(f"{stem}: no GlobalAveragePool node")
            if name == "rich":
                gemm = [n for n in om.graph.node if n.op_type == "Gemm"]
                if not (gemm and len(gemm[0].input) == 3):
                    raise SystemExit(f"{stem}: no Gemm with bias")
            if unmapped and not forward_only:
                print(f"  ERROR {stem}: unmapped parameters {unmapped}")
                failed = True
            # independent check of the file: numpy float64 interpreter vs PyTorch float64 eval forward
            got = run_onnx_numpy(om, {"x": d["x"].numpy()})
            ferr = 0.0
            for k, ref in fwd["eval"].items():
                ref = ref.numpy()
                ferr = max(ferr, np.abs(got[k] - ref).max() / np.abs(ref).max())
            ftol = 1e-5 if forward_only else 1e-12
            if not ferr < ftol:
                print(f"  ERROR {stem}: numpy ONNX forward differs from PyTorch by {ferr:.3e}")
                failed = True
            jpath = os.path.join(out_dir, stem + ".json")
            with open(jpath, "w") as f:
                json.dump(fx, f, separators=(",", ":"))
                f.write("\n")
            inames = [(i.name, list(i.dims)) for i in om.graph.initializer]
            print(f"  {stem}.onnx ({os.path.getsize(path)} B), {stem}.json ({os.path.getsize(jpath)} B)")
            print(f"    op types: {ops}")
            for line in node_lines(om):
                print("      " + line)
            print(f"    initializers: {inames}")
            print(f"    mapping: " + ", ".join(f"{o}->{v[0]}{'' if v[2] == 'identity' else ' (' + v[2] + ')'}"
                                           for o, v in mapping.items()))
            print(f"    unmapped parameters: {unmapped}; non-parameter initializers: {other}")
            print(f"    numpy ONNX interpreter vs PyTorch eval forward: max rel error {ferr:.3e}")
            summary.append({"stem": stem, "onnx_bytes": os.path.getsize(path), "json_bytes": os.path.getsize(jpath),
                            "ops": ops, "nodes": node_lines(om), "initializers": inames,
                            "mapping": {o: list(v) for o, v in mapping.items()}, "unmapped": unmapped,
                            "other": other, "fd": None if forward_only else worst, "fd_report": fd_report,
                            "numpy_forward_err": ferr, "seed": seed, "margins": margins})
            if os.path.getsize(jpath) > 300_000:
                print(f"  ERROR {stem}.json is larger than 300 KB")
                failed = True
    summary_path = os.environ.get("ONNX_FIXTURES_SUMMARY")
    if summary_path:  # optional machine-readable summary of the run
        with open(summary_path, "w") as f:
            json.dump(summary, f, indent=1)
    if failed:
        sys.exit("FAILED (see above)")
    print("all fixtures written and checked")


if __name__ == "__main__":
    main()
