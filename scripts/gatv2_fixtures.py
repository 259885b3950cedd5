#!/usr/bin/env python3
"""Generate parity fixtures for libzipp's GATv2 layer from PyTorch Geometric's GATv2Conv.

Run:  python3 scripts/gatv2_fixtures.py
Writes: tests/fixtures/gatv2/parity.json  ({"cases": [...]})

Needs: torch, torch_geometric (pip install torch torch_geometric numpy).

Each case is one GATv2Conv layer in float64 with fixed seeds, run on a small bipartite
user-community graph treated as homogeneous (users 0..U-1, communities U..U+I-1, both edge
directions).  The last user has no edges at all, so one node has no incoming edge (empty
softmax; with add_self_loops it only attends to itself).  Every parameter is randomized with
randn * 0.5 (PyG's own init leaves the bias at zero).

Cases: concat, mean (concat=False), shared (share_weights=True), self_loops (add_self_loops=True),
wide (more heads/channels, bigger graph, att scaled by 5 so logits are large).

Per case keys:
  name, in_channels, heads, out_channels, concat, share_weights, add_self_loops, negative_slope,
  num_nodes, edge_index          [[src...], [dst...]], the edge_index passed to forward
  x                              num_nodes x in_channels
  lin_l_weight, lin_l_bias       torch layout: (heads*out) x in, (heads*out)
  lin_r_weight, lin_r_bias       same; equal to lin_l for share_weights
  att                            heads x out (PyG's [1, heads, out] squeezed)
  bias                           heads*out if concat else out
  out                            forward output
  attention_edge_index, alpha    from return_attention_weights=True; alpha is E' x heads.
                                 With add_self_loops PyG removes existing self loops and
                                 appends one per node, so this differs from edge_index.
  grad_seed                      randn, same shape as out
  grad_x, grad_lin_l_weight, grad_lin_l_bias, grad_lin_r_weight, grad_lin_r_bias,
  grad_att, grad_bias            gradients of (out * grad_seed).sum()

PyG semantics, for reference (message j -> i along edge_index[0] -> edge_index[1]):
  x_l = lin_l(x) (source side, x_j), x_r = lin_r(x) (target side, x_i), per head h:
  e_ji = att_h . leaky_relu(x_l[j] + x_r[i], negative_slope)
  alpha_ji = softmax of e_ji over the incoming edges of i
  out_i = sum_j alpha_ji * x_l[j]; then concat heads (or mean over heads) and add bias.
"""
import json
import os

import torch
from torch_geometric.nn import GATv2Conv
from torch_geometric.utils import to_undirected

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_PATH = os.path.join(ROOT, "tests", "fixtures", "gatv2", "parity.json")


def make_graph(n_users, n_comms, n_pairs, gen):
    """Unique user-community pairs, both directions; the last user gets no edges."""
    pairs = set()
    # Every user except the last one gets at least one community; the rest are random.
    for u in range(n_users - 1):
        pairs.add((u, int(torch.randint(0, n_comms, (1,), generator=gen))))
    while len(pairs) < n_pairs:
        u = int(torch.randint(0, n_users - 1, (1,), generator=gen))
        c = int(torch.randint(0, n_comms, (1,), generator=gen))
        pairs.add((u, c))
    pairs = sorted(pairs)
    src = torch.tensor([u for u, _ in pairs], dtype=torch.long)
    dst = torch.tensor([n_users + c for _, c in pairs], dtype=torch.long)
    n = n_users + n_comms
    return to_undirected(torch.stack([src, dst]), num_nodes=n), n


def tolist(t):
    return t.detach().cpu().tolist()


def make_case(name, seed, in_ch, heads, out_ch, concat, share_weights, add_self_loops,
              n_users=6, n_comms=4, n_pairs=12, att_scale=1.0, negative_slope=0.2):
    gen = torch.Generator().manual_seed(seed)
    edge_index, n = make_graph(n_users, n_comms, n_pairs, gen)
    isolated = n_users - 1
    assert not (edge_index[1] == isolated).any(), "expected a node with no incoming edge"

    torch.manual_seed(seed)
    conv = GATv2Conv(in_ch, out_ch, heads=heads, concat=concat, negative_slope=negative_slope,
                     dropout=0.0, add_self_loops=add_self_loops, bias=True,
                     share_weights=share_weights).double()
    conv.eval()
    with torch.no_grad():
        for p in conv.parameters():  # shared lin appears once in parameters()
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64) * 0.5)
        conv.att.mul_(att_scale)
    x = torch.randn(n, in_ch, generator=gen, dtype=torch.float64).requires_grad_(True)

    out, (att_ei, alpha) = conv(x, edge_index, return_attention_weights=True)
    grad_seed = torch.randn(out.shape, generator=gen, dtype=torch.float64)
    (out * grad_seed).sum().backward()

    # alpha must sum to 1 over each target's incoming edges.
    sums = torch.zeros(n, heads, dtype=torch.float64).index_add_(0, att_ei[1], alpha.detach())
    has_in = torch.bincount(att_ei[1], minlength=n) > 0
    assert torch.allclose(sums[has_in], torch.ones_like(sums[has_in]), atol=1e-12), name
    assert torch.all(sums[~has_in] == 0), name
    if not add_self_loops:
        assert not has_in[isolated]
        assert torch.equal(att_ei, edge_index)

    lin_l, lin_r = conv.lin_l, conv.lin_r
    case = {
        "name": name,
        "in_channels": in_ch,
        "heads": heads,
        "out_channels": out_ch,
        "concat": concat,
        "share_weights": share_weights,
        "add_self_loops": add_self_loops,
        "negative_slope": negative_slope,
        "num_nodes": n,
        "edge_index": tolist(edge_index),
        "x": tolist(x),
        "lin_l_weight": tolist(lin_l.weight),
        "lin_l_bias": tolist(lin_l.bias),
        "lin_r_weight": tolist(lin_r.weight),
        "lin_r_bias": tolist(lin_r.bias),
        "att": tolist(conv.att.reshape(heads, out_ch)),
        "bias": tolist(conv.bias),
        "out": tolist(out),
        "attention_edge_index": tolist(att_ei),
        "alpha": tolist(alpha),
        "grad_seed": tolist(grad_seed),
        "grad_x": tolist(x.grad),
        "grad_lin_l_weight": tolist(lin_l.weight.grad),
        "grad_lin_l_bias": tolist(lin_l.bias.grad),
        "grad_att": tolist(conv.att.grad.reshape(heads, out_ch)),
        "grad_bias": tolist(conv.bias.grad),
    }
    if share_weights:
        assert lin_l is lin_r
        case["grad_lin_r_weight"] = tolist(torch.zeros_like(lin_l.weight))
        case["grad_lin_r_bias"] = tolist(torch.zeros_like(lin_l.bias))
        case["note"] = ("share_weights: lin_r is lin_l (lin_r_* repeat lin_l_*); grad_lin_l_* holds "
                        "the whole gradient of the shared linear, grad_lin_r_* are zeros")
    else:
        case["grad_lin_r_weight"] = tolist(lin_r.weight.grad)
        case["grad_lin_r_bias"] = tolist(lin_r.bias.grad)
    return case


def main():
    cases = [
        make_case("concat", 1, 5, 2, 3, concat=True, share_weights=False, add_self_loops=False),
        make_case("mean", 2, 4, 3, 2, concat=False, share_weights=False, add_self_loops=False),
        make_case("shared", 3, 5, 2, 3, concat=True, share_weights=True, add_self_loops=False),
        make_case("self_loops", 4, 5, 2, 3, concat=True, share_weights=False, add_self_loops=True),
        make_case("wide", 5, 8, 4, 16, concat=True, share_weights=False, add_self_loops=False,
                  n_users=12, n_comms=6, n_pairs=40, att_scale=5.0),
    ]
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    with open(OUT_PATH, "w") as f:
        json.dump({"generator": "scripts/gatv2_fixtures.py",
                   "torch": torch.__version__,
                   "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT_PATH} ({os.path.getsize(OUT_PATH)} bytes, {len(cases)} cases)")


if __name__ == "__main__":
    main()
