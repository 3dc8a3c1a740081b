#!/usr/bin/env python3
"""What a new sequence length costs each SDPA backend on this GPU (PyTorch, no workbench code).

The trainer's batches change length from step to step. cuDNN's attention builds an execution plan
for every new shape; flash and memory-efficient attention do not. This times, per backend, the
first forward + backward at each of several new lengths against a repeat at an already-seen one,
causal without a mask and with a [B,1,T,T] additive padding mask, at the 1.1B shape's heads.

usage: sdpa_shapes.py [--batch 8] [--heads 32] [--kv-heads 4] [--head-dim 64] [--lengths 448,...]
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel


def step(q, k, v, mask, causal):
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal, enable_gqa=True)
    out.sum().backward()


def timed(fn):
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--heads", type=int, default=32)
    ap.add_argument("--kv-heads", type=int, default=4)
    ap.add_argument("--head-dim", type=int, default=64)
    ap.add_argument("--lengths", default="449,457,463,470,478,486,491,499,503,511")
    args = ap.parse_args()
    lengths = [int(x) for x in args.lengths.split(",")]
    dev, dt = "cuda", torch.bfloat16
    print("torch", torch.__version__, "cudnn", torch.backends.cudnn.version(), torch.cuda.get_device_name())
    backends = {"cudnn": SDPBackend.CUDNN_ATTENTION, "flash": SDPBackend.FLASH_ATTENTION,
                "efficient": SDPBackend.EFFICIENT_ATTENTION, "default": None}
    for name, backend in backends.items():
        for masked in (False, True):
            firsts, repeats, err = [], [], None
            for T in lengths:
                def make():
                    B, H, K, D = args.batch, args.heads, args.kv_heads, args.head_dim
                    q = torch.randn(B, H, T, D, device=dev, dtype=dt, requires_grad=True)
                    k = torch.randn(B, K, T, D, device=dev, dtype=dt, requires_grad=True)
                    v = torch.randn(B, K, T, D, device=dev, dtype=dt, requires_grad=True)
                    mask = None
                    if masked:
                        allowed = torch.ones(T, T, device=dev, dtype=torch.bool).tril()
                        mask = torch.zeros(B, 1, T, T, device=dev, dtype=dt).masked_fill_(~allowed, -1e9)
                    return q, k, v, mask
                q, k, v, mask = make()
                causal = not masked
                try:
                    if backend is None:
                        first = timed(lambda: step(q, k, v, mask, causal))
                        again = timed(lambda: step(q, k, v, mask, causal))
                    else:
                        with sdpa_kernel([backend]):
                            first = timed(lambda: step(q, k, v, mask, causal))
                            again = timed(lambda: step(q, k, v, mask, causal))
                except Exception as e:  # a backend that refuses this case
                    err = str(e).splitlines()[0][:120]
                    break
                firsts.append(first)
                repeats.append(again)
            row = {"backend": name, "mask": masked}
            if err:
                row["error"] = err
            else:
                firsts.sort(), repeats.sort()
                row.update(first_ms_median=round(firsts[len(firsts) // 2], 3), first_ms_max=round(firsts[-1], 3),
                           repeat_ms_median=round(repeats[len(repeats) // 2], 3))
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
