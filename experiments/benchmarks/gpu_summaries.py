#!/usr/bin/env python3
"""Summaries scripts/gpu-session.sh prints from the JSON lines of `graphlora bench`.

  gpu_summaries.py overhead FILE.jsonl [LABEL]   GraphLoRA's cost against its baseline, per mode:
      the ratio (training also with one step in flight, where reported), the launches (or, in
      reports from before the launch counter, the operators other than views) it adds per phase
      and by name, the host's issue time beside the step time (where reported), and per-phase
      times; on CUDA, from the profiled steps (--kernel-profile-steps), the device's busy and idle
      time per step, the kernels GraphLoRA adds by device time, and the host's waits for the
      device (synchronising CUDA calls) it adds
  gpu_summaries.py graphs FILE.jsonl             bench score/train --cuda-graph: capture status,
      eager and replayed step times, speed-up, largest difference (scores; parameters after a step)

Lines of other benchmarks are skipped; a malformed line stops with its line number."""
import json
import sys

# Operators that launch nothing, for overhead reports from before `graph_path_launches` existed.
VIEWS = {"aten::as_strided", "aten::view", "aten::t", "aten::transpose", "aten::select", "aten::slice",
         "aten::narrow", "aten::expand", "aten::reshape", "aten::_reshape_alias", "aten::detach", "detach",
         "aten::resolve_conj", "aten::empty", "aten::empty_strided", "aten::expand_as", "aten::contiguous"}


def records(path):
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{number}: not a JSON line ({e})")


def short_kernel(name):
    """A kernel's name without "void ", namespaces of at::native, template arguments or parameters
    (as shortKernelName in core/bench/kernel_profile.cpp)."""
    function = name.startswith("void ")
    out = name[5:] if function else name
    for noise in ("(anonymous namespace)::", "at::native::"):
        out = out.replace(noise, "")
    out = out.split("<")[0]
    if function:
        out = out.split("(")[0]
    return (out or name)[:60]


def overhead(path, label=""):
    for j in records(path):
        if j.get("benchmark") != "overhead" or "graph_path_ops" not in j:
            continue
        base = j.get("baseline", j.get("lora_only"))  # "lora_only" in reports before 2026-11-27
        launches = "graph_path_launches" in j
        count_key, what = ("launches_per_step", "launches") if launches else ("ops_per_step", "operators")
        for mode in ("train", "score"):
            a, b = base[mode][count_key], j["graphlora"][mode][count_key]
            phases = ", ".join(f"{k} {b['phases'][k] - a['phases'].get(k, 0):+d}" for k in b["phases"])
            added = j["graph_path_launches"][mode] if launches else [
                (n, c) for n, c in j["graph_path_ops"][mode] if n not in VIEWS]
            top = [f"{n} {c:+d}" for n, c in added][:15]
            pipelined = j.get("train_ratio_pipelined") if mode == "train" else None
            in_flight = f" (one step in flight: {pipelined:.4f})" if pipelined else ""
            print(f"{label}{j['model']} {mode} vs {j.get('baseline_method', 'lora-only')}: "
                  f"ratio {j[mode + '_ratio']:.4f}{in_flight}; {what} {a['total']} -> {b['total']} ({phases})")
            host_key = "step_host_ms" if mode == "train" else "forward_host_ms"
            ha, hb = base[mode].get(host_key), j["graphlora"][mode].get(host_key)
            if ha is not None and hb is not None:  # reports since 2026-11-27 (04:00Z)
                what_issued = "step" if mode == "train" else "forward"
                print(f"   {what_issued} issued by the host in {ha:.2f} -> {hb:.2f} ms "
                      f"(step {base[mode]['step_ms']['median']:.2f} -> {j['graphlora'][mode]['step_ms']['median']:.2f} ms)")
            ka, kb = base[mode].get("kernel_profile", {}), j["graphlora"][mode].get("kernel_profile", {})
            if ka.get("status") == "profiled" and kb.get("status") == "profiled":  # CUDA reports since 2026-11-27
                print(f"   device busy {ka['busy_ms']:.2f} -> {kb['busy_ms']:.2f} ms, idle {ka['idle_ms']:.2f} -> "
                      f"{kb['idle_ms']:.2f} ms per step ({ka['activities']:.0f} -> {kb['activities']:.0f} kernels and copies; "
                      f"host waits {ka.get('host_waits', 0):.0f} -> {kb.get('host_waits', 0):.0f})")
                added = j.get("graph_path_kernels", {}).get(mode, [])
                print("   device time added: " + (", ".join(f"{short_kernel(n)} {ms:+.3f} ms ({c:+.0f})"
                                                         for n, ms, c in added[:10]) or "none"))
                waits = j.get("graph_path_host_waits", {}).get(mode, [])
                if waits:
                    print("   host waits added: " + ", ".join(f"{n} {c:+.0f} ({ms:+.3f} ms)" for n, ms, c in waits))
            elif kb.get("status"):
                print(f"   kernel profile: {kb['status']}")
            pa, pb = dict(base[mode].get("phase_ms", [])), j["graphlora"][mode].get("phase_ms", [])
            if pb:
                print("   phase ms: " + ", ".join(f"{k} {pa.get(k, 0):.2f} -> {v:.2f}" for k, v in pb))
            print("   " + ", ".join(top))


def graphs(path):
    for j in records(path):
        g = j.get("cuda_graph")
        if g is None:
            continue
        print(f"{j['model']} {j['method']} {j.get('benchmark')} B={j['batch']} T={j['seq_len']}: {g.get('status')}; "
              f"eager {g.get('eager_ms', 0):.2f} ms, graph {g.get('graph_ms', 0):.2f} ms, "
              f"speed-up {g.get('speedup', 0):.2f}, max |diff| {g.get('max_abs_difference', 0):.3g}")


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("overhead", "graphs"):
        sys.exit(__doc__)
    if sys.argv[1] == "overhead":
        overhead(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")
    else:
        graphs(sys.argv[2])


if __name__ == "__main__":
    main()
