#!/usr/bin/env python3
"""What a new sequence length costs each SDPA backend on this GPU (PyTorch, no workbench code).

The trainer's batches change length from step to step. cuDNN's attention builds an execution plan
for every new shape; flash and memory-efficient attention do not. This times, per backend, the
first forward + backward at each of several new lengths against a repeat at an already-seen one,
causal without a mask and with a [B,1,T,T] additive padding mask, at the 1.1B shape's heads.
--masked-rows instead checks each backend on a left-padded batch whose padded query rows see no
key at all (the model's mask before 2026-11-27) and on one where they see themselves: how many
non-finite values the output and the input gradients hold.

usage: sdpa_shapes.py [--batch 8] [--heads 32] [--kv-heads 4] [--head-dim 64] [--lengths 448,...]
                      [--masked-rows]
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


def masked_rows(args):
    B, H, D, T = args.batch, args.heads, args.head_dim, 448
    dev, dt = "cuda", torch.bfloat16
    pads = torch.tensor([(37 * b) % 130 + (64 if b % 2 else 0) for b in range(B)], device=dev)
    keys = torch.arange(T, device=dev)
    key_ok = keys.view(1, 1, 1, T) >= pads.view(B, 1, 1, 1)
    causal_ok = keys.view(1, T) <= keys.view(T, 1)
    for self_ok in (False, True):
        allowed = key_ok & causal_ok
        if self_ok:
            allowed = allowed | (keys.view(1, T) == keys.view(T, 1))
        mask = torch.zeros(B, 1, T, T, device=dev, dtype=dt).masked_fill_(~allowed, -1e9)
        for name, backend in (("cudnn", SDPBackend.CUDNN_ATTENTION), ("efficient", SDPBackend.EFFICIENT_ATTENTION),
                              ("math", SDPBackend.MATH), ("default", None)):
            torch.manual_seed(0)
            q, k, v = (torch.randn(B, H, T, D, device=dev, dtype=dt, requires_grad=True) for _ in range(3))
            row = {"padded_rows_see": "themselves" if self_ok else "nothing", "backend": name}
            try:
                ctx = sdpa_kernel([backend]) if backend is not None else torch.enable_grad()
                with ctx:
                    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
                    out.float().square().sum().backward()
                nonempty = allowed.any(-1, keepdim=True).expand(B, H, T, 1).squeeze(-1)
                row.update(nonfinite_out=int((~out.isfinite()).sum()), nonfinite_grad_q=int((~q.grad.isfinite()).sum()),
                           nonfinite_grad_k=int((~k.grad.isfinite()).sum()), nonfinite_grad_v=int((~v.grad.isfinite()).sum()),
                           empty_rows=int((~nonempty).sum()))
            except Exception as e:
                row["error"] = str(e).splitlines()[0][:100]
            print(json.dumps(row), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--heads", type=int, default=32)
    ap.add_argument("--kv-heads", type=int, default=4)
    ap.add_argument("--head-dim", type=int, default=64)
    ap.add_argument("--lengths", default="449,457,463,470,478,486,491,499,503,511")
    ap.add_argument("--masked-rows", action="store_true")
    args = ap.parse_args()
    if args.masked_rows:
        return masked_rows(args)
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
