#!/usr/bin/env python3
"""PyG peer for the GATv2 benchmark: 2-layer GATv2 link prediction on a synthetic bipartite graph.

Graph: U users, I items, --edges unique (user, item) training pairs plus 5% more held out for an
AUC check.  Users are uniform; item popularity follows Zipf(--alpha) over a random rank
permutation (numpy default_rng(--seed)).  Message passing treats it as homogeneous: users are
nodes 0..U-1, items U..U+I-1, both edge directions.

Model: nn.Embedding(U+I, emb) (normal, std 0.1)
       -> GATv2Conv(emb, hidden, heads, concat=True, add_self_loops=--self-loops) -> ELU
       -> GATv2Conv(heads*hidden, out, heads=1, concat=False, add_self_loops=--self-loops).
Decoder: dot product.  Loss: BCE-with-logits, one uniform negative (random user, random item)
per positive.  Full batch, Adam(--lr).

Prints per-epoch time and peak RSS, then one machine-readable line:
    RESULT peer=pyg median_s_per_epoch=X peak_rss_mib=Y auc=Z
(median over the --epochs timed epochs after --warmup warm-up epochs; AUC on held-out pairs.)

--edges-out PATH writes the graph so a Rust benchmark can train on exactly the same pairs
(little-endian):  b"ZIPPEDGE", u32 users, u32 items, u64 n_train, n_train x (u32 user, u32 item),
u64 n_heldout, n_heldout x (u32 user, u32 item).  Item ids are 0-based (not offset by U).

Usage: python3 benches/gatv2_peer.py [--users 20000 --items 2000 --edges 400000 --threads 2 ...]
Needs: torch, torch_geometric, numpy.
"""
import argparse
import resource
import statistics
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch_geometric.nn import GATv2Conv
from torch_geometric.utils import to_undirected

HELDOUT_FRAC = 0.05
MAGIC = b"ZIPPEDGE"


def peak_rss_mib():
    """Peak resident set size of this process in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def make_pairs(n_users, n_items, n_pairs, alpha, seed):
    """n_pairs unique (user, item) pairs in random order: users uniform, items Zipf(alpha).

    Item popularity p(rank r) ~ r^-alpha; ranks are mapped to item ids by a random permutation.
    Returns two int64 numpy arrays (users, items), items 0-based.
    """
    if n_pairs > n_users * n_items:
        raise SystemExit(f"cannot draw {n_pairs} unique pairs from {n_users}x{n_items}")
    rng = np.random.default_rng(seed)
    p = np.arange(1, n_items + 1, dtype=np.float64) ** (-alpha)
    p /= p.sum()
    item_of_rank = rng.permutation(n_items)
    keys = np.empty(0, dtype=np.int64)
    while keys.size < n_pairs:
        m = int((n_pairs - keys.size) * 1.3) + 1000
        u = rng.integers(0, n_users, m, dtype=np.int64)
        i = item_of_rank[rng.choice(n_items, m, p=p)].astype(np.int64)
        keys = np.unique(np.concatenate([keys, u * n_items + i]))
    keys = rng.permutation(keys)[:n_pairs]
    return keys // n_items, keys % n_items


def write_edges(path, n_users, n_items, train_u, train_i, held_u, held_i):
    """Write the training and held-out pairs in the ZIPPEDGE little-endian format."""
    def pairs(u, i):
        return np.stack([u, i], axis=1).astype("<u4").tobytes()

    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<IIQ", n_users, n_items, len(train_u)))
        f.write(pairs(train_u, train_i))
        f.write(struct.pack("<Q", len(held_u)))
        f.write(pairs(held_u, held_i))


class Encoder(torch.nn.Module):
    def __init__(self, n_nodes, emb, hidden, heads, out, self_loops):
        super().__init__()
        self.emb = torch.nn.Embedding(n_nodes, emb)
        torch.nn.init.normal_(self.emb.weight, std=0.1)
        self.conv1 = GATv2Conv(emb, hidden, heads=heads, concat=True, add_self_loops=self_loops)
        self.conv2 = GATv2Conv(heads * hidden, out, heads=1, concat=False,
                               add_self_loops=self_loops)

    def forward(self, edge_index):
        h = F.elu(self.conv1(self.emb.weight, edge_index))
        return self.conv2(h, edge_index)


def score(z, src, dst):
    """Dot-product decoder."""
    return (z[src] * z[dst]).sum(-1)


def auc(pos, neg):
    """ROC AUC of positive vs negative scores (Mann-Whitney U; ties are not averaged)."""
    s = torch.cat([pos, neg])
    r = torch.empty_like(s)
    r[s.argsort()] = torch.arange(1, s.numel() + 1, dtype=s.dtype)
    n_p, n_n = pos.numel(), neg.numel()
    return float((r[:n_p].sum() - n_p * (n_p + 1) / 2) / (n_p * n_n))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=20_000)
    ap.add_argument("--items", type=int, default=2_000)
    ap.add_argument("--edges", type=int, default=400_000, help="unique training pairs")
    ap.add_argument("--alpha", type=float, default=0.8, help="Zipf exponent of item popularity")
    ap.add_argument("--emb", type=int, default=64)
    ap.add_argument("--hidden", type=int, default=64, help="per-head channels of layer 1")
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--out", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--self-loops", type=int, choices=(0, 1), default=1)
    ap.add_argument("--edges-out", metavar="PATH", help="write the pairs (ZIPPEDGE format)")
    args = ap.parse_args()
    if args.epochs < 1:
        raise SystemExit("--epochs must be >= 1")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    U, I = args.users, args.items
    n_held = int(args.edges * HELDOUT_FRAC)

    t0 = time.perf_counter()
    users, items = make_pairs(U, I, args.edges + n_held, args.alpha, args.seed)
    held_u, held_i = users[:n_held], items[:n_held]          # the first 5% extra are held out
    train_u, train_i = users[n_held:], items[n_held:]
    if args.edges_out:
        write_edges(args.edges_out, U, I, train_u, train_i, held_u, held_i)
        print(f"wrote {args.edges_out}: {len(train_u)} train + {len(held_u)} held-out pairs")

    tr_u = torch.from_numpy(train_u)
    tr_i = torch.from_numpy(train_i) + U                      # item node ids offset by U
    va_u = torch.from_numpy(held_u)
    va_i = torch.from_numpy(held_i) + U
    edge_index = to_undirected(torch.stack([tr_u, tr_i]), num_nodes=U + I)
    deg = np.sort(np.bincount(train_i, minlength=I))[::-1]
    print(f"graph: {U} users, {I} items, {len(train_u)} train pairs (+{n_held} held out), "
          f"{edge_index.size(1)} directed edges, self loops {bool(args.self_loops)}, "
          f"built in {time.perf_counter() - t0:.1f}s")
    print(f"item degree: max {deg[0]}, median {deg[I // 2]}, min {deg[-1]}")
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")

    model = Encoder(U + I, args.emb, args.hidden, args.heads, args.out, bool(args.self_loops))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"params {n_params}; peak RSS before training {peak_rss_mib():.0f} MiB")

    n_pos = tr_u.numel()
    labels = torch.cat([torch.ones(n_pos), torch.zeros(n_pos)])

    def step():
        model.train()
        opt.zero_grad(set_to_none=True)
        z = model(edge_index)
        neg_u = torch.randint(0, U, (n_pos,))
        neg_i = torch.randint(U, U + I, (n_pos,))
        logits = torch.cat([score(z, tr_u, tr_i), score(z, neg_u, neg_i)])
        loss = F.binary_cross_entropy_with_logits(logits, labels)
        loss.backward()
        opt.step()
        return loss.item()

    times = []
    for ep in range(args.warmup + args.epochs):
        t = time.perf_counter()
        loss = step()
        dt = time.perf_counter() - t
        timed = ep >= args.warmup
        if timed:
            times.append(dt)
        print(f"epoch {ep} ({'timed' if timed else 'warm-up'}): {dt:.3f}s loss {loss:.4f} "
              f"peak RSS {peak_rss_mib():.0f} MiB", flush=True)

    model.eval()
    with torch.no_grad():
        z = model(edge_index)
        nu = torch.randint(0, U, (n_held,))
        ni = torch.randint(U, U + I, (n_held,))
        a = auc(score(z, va_u, va_i), score(z, nu, ni))
    med = statistics.median(times)
    print(f"median {med:.3f}s/epoch (min {min(times):.3f}, max {max(times):.3f}); "
          f"held-out AUC {a:.4f}")
    print(f"RESULT peer=pyg median_s_per_epoch={med:.4f} peak_rss_mib={peak_rss_mib():.1f} "
          f"auc={a:.4f}")


if __name__ == "__main__":
    main()
