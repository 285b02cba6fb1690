#!/usr/bin/env python3
"""Golden fixture with convolution biases that feed training-mode batch norms (issue 17).

Builds, in float64 with PyTorch, the network described in the fixture's ``model.graph`` (format:
shared/golden/README.md) and computes every quantity of shared/spec/REP-MTL.md by exact
second-order autodiff (saliencies with ``create_graph=True``, then dJ/dparam by double backprop).
Nothing here comes from the Java implementation: losses, batch norm and bilinear upsampling are
PyTorch's own (``F.cross_entropy``, ``F.batch_norm(training=True)``, ``F.interpolate``).

The bias of each head's first convolution feeds a training-mode batch norm, which subtracts the batch
mean per channel: J does not depend on that bias at all and its exact gradient is zero. The
reference entries are rounding noise (~1e-17), which is what the README's gradient floor is for.

Every gradient entry is cross-checked by float64 central differences of J (h = 1e-6); the script
prints the largest error and fails if it exceeds 1e-6. For the biases before batch norm it checks
that autodiff and central differences give zero to rounding and that shifting them by 1 leaves J
unchanged to rounding.

Usage: python3 tools/golden/make_bn_bias_fixture.py [OUT.json]
(default: repmtl-samediff/src/test/resources/golden/repmtl-bn-bias.json)
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
DT = torch.float64
EPS_TSR = 1e-12
NORM_FLOOR_SQ = 1e-24
BN_EPS = 1e-5

B, CIN, H, W = 4, 3, 6, 6
C = 4  # channels of Z
SEG_CLASSES = 3

# ---- the network as data (model.graph) ------------------------------------------------------------
GRAPH = {
    "inputs": ["x"],
    "nodes": [
        {"op": "conv2d", "in": "x", "W": "enc.conv.W", "b": "enc.conv.b", "stride": 1, "pad": 1, "dilation": 1, "out": "enc.pre"},
        {"op": "tanh", "in": "enc.pre", "out": "Z"},
        # seg head: conv (stride 2, bias) -> BN(train) -> relu -> 1x1 conv -> bilinear 3x3 -> 6x6 (alignCorners false)
        {"op": "conv2d", "in": "Z", "W": "seg.conv1.W", "b": "seg.conv1.b", "stride": 2, "pad": 1, "dilation": 1, "out": "seg.h1"},
        {"op": "batchnorm_train", "in": "seg.h1", "gamma": "seg.bn.gamma", "beta": "seg.bn.beta", "eps": BN_EPS, "out": "seg.h2"},
        {"op": "relu", "in": "seg.h2", "out": "seg.h3"},
        {"op": "conv2d", "in": "seg.h3", "W": "seg.conv2.W", "b": "seg.conv2.b", "stride": 1, "pad": 0, "dilation": 1, "out": "seg.low"},
        {"op": "upsample_bilinear", "in": "seg.low", "height": H, "width": W, "alignCorners": False, "out": "seg.logits"},
        # depth head: same shape of head, alignCorners true
        {"op": "conv2d", "in": "Z", "W": "depth.conv1.W", "b": "depth.conv1.b", "stride": 2, "pad": 1, "dilation": 1, "out": "depth.h1"},
        {"op": "batchnorm_train", "in": "depth.h1", "gamma": "depth.bn.gamma", "beta": "depth.bn.beta", "eps": BN_EPS, "out": "depth.h2"},
        {"op": "relu", "in": "depth.h2", "out": "depth.h3"},
        {"op": "conv2d", "in": "depth.h3", "W": "depth.conv2.W", "b": "depth.conv2.b", "stride": 1, "pad": 0, "dilation": 1, "out": "depth.low"},
        {"op": "upsample_bilinear", "in": "depth.low", "height": H, "width": W, "alignCorners": True, "out": "depth.pred"},
        # normal head: full resolution (stride 1), conv (bias) -> BN(train) -> relu -> 1x1 conv
        {"op": "conv2d", "in": "Z", "W": "normal.conv1.W", "b": "normal.conv1.b", "stride": 1, "pad": 1, "dilation": 1, "out": "normal.h1"},
        {"op": "batchnorm_train", "in": "normal.h1", "gamma": "normal.bn.gamma", "beta": "normal.bn.beta", "eps": BN_EPS, "out": "normal.h2"},
        {"op": "relu", "in": "normal.h2", "out": "normal.h3"},
        {"op": "conv2d", "in": "normal.h3", "W": "normal.conv2.W", "b": "normal.conv2.b", "stride": 1, "pad": 0, "dilation": 1, "out": "normal.pred"},
    ],
    "shared": {"seg": "Z", "depth": "Z", "normal": "Z"},
    "losses": {
        "seg": {"op": "softmax_ce", "in": "seg.logits", "labels": "seg", "ignoreIndex": -1},
        "depth": {"op": "masked_l1", "in": "depth.pred", "target": "depth"},
        "normal": {"op": "masked_cosine", "in": "normal.pred", "target": "normal"},
    },
}
TASKS = ["seg", "depth", "normal"]
ZERO_GRADIENT_BIASES = ["seg.conv1.b", "depth.conv1.b", "normal.conv1.b"]

DESCRIPTION = (
    "Single-input HPS with batch-norm heads. Z = tanh(conv2d(x, enc.conv.W, enc.conv.b, stride 1, pad 1)), NCHW [4,4,6,6]. "
    "seg: h = relu(BN_train(conv2d(Z, seg.conv1.W, seg.conv1.b, stride 2, pad 1), seg.bn.gamma, seg.bn.beta, eps 1e-5)) [4,5,3,3]; "
    "logits = upsample_bilinear(conv2d(h, seg.conv2.W, seg.conv2.b), 6x6, alignCorners false); "
    "L = mean cross-entropy over pixels whose label != -1. "
    "depth: as seg with depth.* parameters (3 hidden channels, 1 output), upsampling with alignCorners true; "
    "mask = (sum over channel of target != 0); L = sum(|d - target| * mask) / count(mask). "
    "normal: h = relu(BN_train(conv2d(Z, normal.conv1.W, normal.conv1.b, stride 1, pad 1))) [4,3,6,6]; "
    "n = conv2d(h, normal.conv2.W, normal.conv2.b); n = n / ||n||_2 over channels; mask as for depth; "
    "L = 1 - sum(n * target * mask) / count(mask pixels). "
    "BN_train: batch statistics over N, H, W, biased variance. The biases seg.conv1.b, depth.conv1.b and "
    "normal.conv1.b feed a training-mode batch norm: J does not depend on them, their exact gradient is 0 and "
    "the reference entries are rounding noise. Conv weights OIHW; biases [outC]."
)

CONFIGS = [
    {"logTransform": False, "lambdaTsr": 0.9, "lambdaCsa": 0.9, "tau": 0.5, "csaVariant": "paper"},
    {"logTransform": True, "lambdaTsr": 0.9, "lambdaCsa": 0.9, "tau": 0.5, "csaVariant": "paper"},
    {"logTransform": True, "lambdaTsr": 1.3, "lambdaCsa": 0.7, "tau": 0.2, "csaVariant": "infonce"},
    {"logTransform": False, "lambdaTsr": 0.0, "lambdaCsa": 0.0, "tau": 0.5, "csaVariant": "paper"},
]


def make_params(g):
    def u(*shape, scale):
        return (torch.rand(*shape, generator=g, dtype=DT) * 2 - 1) * scale

    p = {
        "enc.conv.W": u(C, CIN, 3, 3, scale=0.5), "enc.conv.b": u(C, scale=0.3),
        "seg.conv1.W": u(5, C, 3, 3, scale=0.4), "seg.conv1.b": u(5, scale=0.5),
        "seg.bn.gamma": 1 + u(5, scale=0.3), "seg.bn.beta": u(5, scale=0.2),
        "seg.conv2.W": u(SEG_CLASSES, 5, 1, 1, scale=0.8), "seg.conv2.b": u(SEG_CLASSES, scale=0.3),
        "depth.conv1.W": u(3, C, 3, 3, scale=0.4), "depth.conv1.b": u(3, scale=0.5),
        "depth.bn.gamma": 1 + u(3, scale=0.3), "depth.bn.beta": u(3, scale=0.2),
        "depth.conv2.W": u(1, 3, 1, 1, scale=0.8), "depth.conv2.b": u(1, scale=0.3),
        "normal.conv1.W": u(3, C, 3, 3, scale=0.4), "normal.conv1.b": u(3, scale=0.5),
        "normal.bn.gamma": 1 + u(3, scale=0.3), "normal.bn.beta": u(3, scale=0.2),
        "normal.conv2.W": u(3, 3, 1, 1, scale=0.8), "normal.conv2.b": u(3, scale=0.3),
    }
    return p


def make_data(g):
    x = torch.randn(B, CIN, H, W, generator=g, dtype=DT)
    seg = torch.randint(0, SEG_CLASSES, (B, H, W), generator=g)
    seg[torch.rand(B, H, W, generator=g) < 0.15] = -1
    depth = 0.5 + 2.5 * torch.rand(B, 1, H, W, generator=g, dtype=DT)
    depth[torch.rand(B, 1, H, W, generator=g) < 0.2] = 0.0
    normal = torch.randn(B, 3, H, W, generator=g, dtype=DT)
    normal = normal / normal.norm(dim=1, keepdim=True)
    normal = normal * (torch.rand(B, 1, H, W, generator=g) >= 0.15).to(DT)
    return {"x": x, "seg": seg, "depth": depth, "normal": normal}


# ---- forward pass, interpreting the graph with PyTorch ops -----------------------------------------
def forward(p, d):
    env = {k: v for k, v in d.items()}
    for n in GRAPH["nodes"]:
        op, x = n["op"], env[n["in"]]
        if op == "conv2d":
            y = F.conv2d(x, p[n["W"]], p[n["b"]], stride=n["stride"], padding=n["pad"], dilation=n["dilation"])
        elif op == "tanh":
            y = torch.tanh(x)
        elif op == "relu":
            y = torch.relu(x)
        elif op == "batchnorm_train":
            y = F.batch_norm(x, None, None, weight=p[n["gamma"]], bias=p[n["beta"]], training=True, eps=n["eps"])
        elif op == "upsample_bilinear":
            y = F.interpolate(x, size=(n["height"], n["width"]), mode="bilinear", align_corners=n["alignCorners"])
        else:
            raise ValueError(op)
        env[n["out"]] = y
    return env


def valid_mask(target):
    return (target.sum(dim=1) != 0).to(DT)  # [B, H, W]


def task_losses(env, d):
    out = []
    for t in TASKS:
        l = GRAPH["losses"][t]
        pred = env[l["in"]]
        if l["op"] == "softmax_ce":
            out.append(F.cross_entropy(pred, d[l["labels"]], ignore_index=l["ignoreIndex"], reduction="mean"))
        elif l["op"] == "masked_l1":
            target = d[l["target"]]
            m = valid_mask(target)
            out.append(((pred - target).abs() * m[:, None]).sum() / m.sum())
        elif l["op"] == "masked_cosine":
            target = d[l["target"]]
            m = valid_mask(target)
            norm = torch.sqrt(torch.clamp((pred * pred).sum(dim=1, keepdim=True), min=NORM_FLOOR_SQ))
            out.append(1 - ((pred / norm) * target * m[:, None]).sum() / m.sum())
        else:
            raise ValueError(l["op"])
    return out


# ---- Rep-MTL (shared/spec/REP-MTL.md) ---------------------------------------------------------------
def unit(v):
    """v / max(||v||, 1e-12) along the last axis, as sqrt(max(||v||^2, 1e-24))."""
    return v / torch.sqrt(torch.clamp((v * v).sum(dim=-1, keepdim=True), min=NORM_FLOOR_SQ))


def tsr(S):  # S: [T, B, C, H, W]
    sh = S.mean(dim=2)                                  # [T, B, H, W], signed channel mean
    a = sh.abs() + EPS_TSR
    P = a / a.sum(dim=0, keepdim=True)
    return (-(P * torch.log(P)).sum(dim=0)).mean()


def csa(S, tau, variant):
    T, Bn, Cn = S.shape[0], S.shape[1], S.shape[2]
    if Bn < 2:
        return torch.zeros((), dtype=DT)
    U = S.reshape(T, Bn, Cn, -1)                        # [T, B, C, N]
    M = U @ U.transpose(-1, -2)                         # [T, B, C, C]
    zt = unit(M.reshape(T, Bn, Cn * Cn))                # [T, B, C*C]
    A = U.mean(dim=-1).permute(1, 2, 0)                 # [B, C, T]
    Ahat = A @ A.transpose(-1, -2)                      # [B, C, C]
    za = unit(Ahat.reshape(Bn, Cn * Cn))                # [B, C*C]
    if variant == "paper":
        aa = za @ za.T / tau                            # [B, B]
        off = ~torch.eye(Bn, dtype=torch.bool)
        lse = torch.stack([torch.logsumexp(aa[b][off[b]], dim=0) for b in range(Bn)])  # [B]
        per_t = [(-(za * zt[t]).sum(dim=-1) / tau + lse).mean() for t in range(T)]
        return torch.stack(per_t).mean()
    if variant == "infonce":
        per_t = []
        for t in range(T):
            logits = zt[t] @ za.T / tau                 # [B(query), B(key)]
            per_t.append(F.cross_entropy(logits, torch.arange(Bn)))
        return torch.stack(per_t).mean()
    raise ValueError(variant)


def evaluate(p, d, cfg, create_graph):
    env = forward(p, d)
    Z = env["Z"]
    Ls = task_losses(env, d)
    ls = [torch.log(L) if cfg["logTransform"] else L for L in Ls]
    S = [torch.autograd.grad(l, Z, create_graph=create_graph, retain_graph=True)[0] for l in ls]
    St = torch.stack(S)
    r_tsr = tsr(St)
    r_csa = csa(St, cfg["tau"], cfg["csaVariant"])
    J = sum(ls) + cfg["lambdaTsr"] * r_tsr + cfg["lambdaCsa"] * r_csa
    return {"L": Ls, "l": ls, "S": S, "tsr": r_tsr, "csa": r_csa, "J": J}


def J_of(p, d, cfg):
    q = {k: v.detach().clone().requires_grad_(True) for k, v in p.items()}
    return evaluate(q, d, cfg, create_graph=False)["J"].item()


def tensor_json(t, dtype=None):
    t = t.detach()
    o = {"shape": list(t.shape)}
    if dtype is not None:
        o["dtype"] = dtype
    o["values"] = t.tolist()
    return o


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        root, "repmtl-samediff", "src", "test", "resources", "golden", "repmtl-bn-bias.json")
    g = torch.Generator().manual_seed(20250717)
    params = make_params(g)
    data = make_data(g)
    names = list(params.keys())

    results = []
    worst_fd = 0.0
    for ci, cfg in enumerate(CONFIGS):
        p = {k: v.clone().requires_grad_(True) for k, v in params.items()}
        r = evaluate(p, data, cfg, create_graph=True)
        grads = torch.autograd.grad(r["J"], [p[k] for k in names])
        grads = {k: gr.detach() for k, gr in zip(names, grads)}
        scale = max(gr.abs().max().item() for gr in grads.values())
        floor = 1e-8 * scale

        # central differences of J (float64), every entry of every parameter. Their own rounding noise is
        # ~eps*|J|/h ~ 1e-9 absolute, so a parameter is compared at max(max|ref|, 1e-6 * scale); the biases
        # before batch norm (true gradient 0) are checked separately below.
        h = 1e-6
        fd_err = 0.0
        fd_rel_big = 0.0
        fd_zero = 0.0
        for k in names:
            base = params[k]
            fd = torch.zeros_like(base)
            flat = fd.view(-1)
            for i in range(base.numel()):
                vals = []
                for sgn in (1.0, -1.0):
                    q = {kk: vv.clone() for kk, vv in params.items()}
                    q[k].view(-1)[i] += sgn * h
                    vals.append(J_of(q, data, cfg))
                flat[i] = (vals[0] - vals[1]) / (2 * h)
            ref = grads[k]
            if k in ZERO_GRADIENT_BIASES:
                fd_zero = max(fd_zero, fd.abs().max().item())
                continue
            e = (fd - ref).abs().max().item() / max(ref.abs().max().item(), 1e-6 * scale)
            fd_err = max(fd_err, e)
            big = ref.abs() > 1e-3 * scale
            if big.any():
                fd_rel_big = max(fd_rel_big, ((fd - ref).abs()[big] / ref.abs()[big]).max().item())
        # J does not depend on a bias before a training-mode batch norm at all: shift it by 1 and J moves
        # only by rounding.
        shift = 0.0
        j0 = J_of(params, data, cfg)
        for k in ZERO_GRADIENT_BIASES:
            q = {kk: vv.clone() for kk, vv in params.items()}
            q[k] += 1.0
            shift = max(shift, abs(J_of(q, data, cfg) - j0))
        zero_bias = {k: grads[k].abs().max().item() for k in ZERO_GRADIENT_BIASES}
        print(f"config {ci + 1} {cfg}: J={r['J'].item():.12g} tsr={r['tsr'].item():.6g} csa={r['csa'].item():.6g} "
              f"gradient scale={scale:.3e} floor={floor:.3e}")
        print(f"  central differences (h={h:g}), other parameters: max tensor error {fd_err:.3e}; "
              f"max entrywise relative error on entries > 1e-3*scale {fd_rel_big:.3e}")
        print(f"  biases before batch norm: autodiff max |dJ/db| "
              + ", ".join(f"{k}={v:.2e}" for k, v in zero_bias.items())
              + f"; central differences max |dJ/db| {fd_zero:.2e}; |J(b+1) - J(b)| <= {shift:.2e}")
        worst_fd = max(worst_fd, fd_err)
        if not (fd_zero < 1e-8 * max(scale, 1.0) and shift < 1e-12 and max(zero_bias.values()) < 1e-14):
            sys.exit("a bias before batch norm does not have a zero gradient")

        results.append({
            "config": cfg,
            "taskLosses": [L.item() for L in r["L"]],
            "objectiveTerms": [l.item() for l in r["l"]],
            "saliency": [tensor_json(s) for s in r["S"]],
            "tsr": r["tsr"].item(),
            "csa": r["csa"].item(),
            "objective": r["J"].item(),
            "gradients": {k: tensor_json(grads[k]) for k in names},
        })

    fixture = {
        "model": {"graph": GRAPH, "kind": "dense-batchnorm", "tasks": TASKS, "description": DESCRIPTION},
        "params": {k: tensor_json(v) for k, v in params.items()},
        "data": {
            "x": tensor_json(data["x"], "float64"),
            "seg": tensor_json(data["seg"], "int64"),
            "depth": tensor_json(data["depth"], "float64"),
            "normal": tensor_json(data["normal"], "float64"),
        },
        "results": results,
        "about": ("Golden values for the Rep-MTL regularizer as defined in shared/spec/REP-MTL.md, computed in float64 "
                  "with exact second-order autodiff (PyTorch " + torch.__version__ + ", tools/golden/make_bn_bias_fixture.py), "
                  "independently of this project; every gradient entry checked against float64 central differences of J. "
                  "'gradients' are dJ/dparam of the full objective J of each config. The biases before the training-mode "
                  "batch norms have an exactly-zero gradient: their reference entries are rounding noise."),
    }
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {out} ({os.path.getsize(out)} bytes); worst central-difference error {worst_fd:.3e}")
    if not (worst_fd < 1e-6 and math.isfinite(worst_fd)):
        sys.exit("central differences disagree with autodiff")


if __name__ == "__main__":
    main()
