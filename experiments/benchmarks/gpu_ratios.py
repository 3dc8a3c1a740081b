#!/usr/bin/env python3
"""Side-by-side table of `graphlora bench` JSON lines against hf_peft_peer.py JSON lines.

usage: gpu_ratios.py PEER.jsonl OURS.jsonl
Ratios are workbench tokens/s / peer tokens/s (> 1: the workbench is faster), matched by model,
mode, batch and sequence length; the workbench side is its `tallrec` method (plain LoRA on q/v,
the peer's own setup). `bench overhead` lines add the GraphLoRA / LoRA-only step-time ratios.
"""
import json
import sys


def lines(path):
    out = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        out.append(json.loads(line))
                    except json.JSONDecodeError:
                        pass
    except OSError as e:
        print(f"gpu_ratios: {e}", file=sys.stderr)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    peer, ours = lines(sys.argv[1]), lines(sys.argv[2])
    key = lambda j: (j.get("model"), j.get("benchmark"), j.get("batch"), j.get("seq_len"))
    peers = {key(j): j for j in peer}
    print(f"{'model':<12} {'mode':<6} {'B':>3} {'T':>5} {'workbench t/s':>14} {'MFU':>6} {'MiB':>8}"
          f" {'hf+peft t/s':>12} {'MFU':>6} {'MiB':>8} {'ratio':>6}")
    for j in ours:
        if j.get("benchmark") not in ("train", "score") or j.get("method") != "tallrec":
            continue
        p = peers.get(key(j))
        ratio = f"{j['tokens_per_s'] / p['tokens_per_s']:.3f}" if p else "n/a"
        pt = f"{p['tokens_per_s']:12.0f} {p['mfu']:6.3f} {p['peak_memory_mib']:8.0f}" if p else f"{'-':>12} {'-':>6} {'-':>8}"
        print(f"{j['model']:<12} {j['benchmark']:<6} {j['batch']:>3} {j['seq_len']:>5} {j['tokens_per_s']:14.0f}"
              f" {j['mfu']:6.3f} {j['peak_memory_mib']:8.0f} {pt} {ratio:>6}")
    for j in ours:  # the other methods' own steps; "clip" marks --max-grad-norm runs
        if j.get("benchmark") in ("train", "score") and j.get("method") != "tallrec":
            clip = f", clip {j['max_grad_norm']:g}" if "max_grad_norm" in j else ""
            print(f"{j['model']} {j['method']} {j['benchmark']} B={j['batch']} T={j['seq_len']}{clip}: "
                  f"{j['step_ms']['median']:.2f} ms, {j['tokens_per_s']:.0f} tok/s")
    for j in ours:
        if j.get("benchmark") == "overhead":
            base = j.get("baseline", j.get("lora_only"))  # "lora_only" in reports before 2026-11-27
            lt, gt = base["train"], j["graphlora"]["train"]
            ls, gs = base["score"], j["graphlora"]["score"]
            against = j.get("baseline_method", "lora-only")
            print(f"overhead {j['model']} vs {against} B={j['batch']} T={j['seq_len']}: train {gt['step_ms']['median']:.2f} / "
                  f"{lt['step_ms']['median']:.2f} ms = {j['train_ratio']:.4f}, score {gs['step_ms']['median']:.2f} / "
                  f"{ls['step_ms']['median']:.2f} ms = {j['score_ratio']:.4f}"
                  + (f", train with one step in flight {j['train_ratio_pipelined']:.4f}" if j.get("train_ratio_pipelined") else ""))
    for j in ours:
        if j.get("benchmark") not in ("train", "score", "overhead") and "benchmark" in j:
            print(json.dumps(j)[:400])


if __name__ == "__main__":
    main()
