#!/usr/bin/env python3
"""Ratios of workbench to eager-baseline tokens/s for compare.sh's cpu mode.

  cpu_ratios.py EAGER.txt THREADS METHOD=OURS.jsonl [METHOD=OURS.jsonl ...]

EAGER.txt holds the output lines of ../shared/bench/eager_tiny_llama.py from every round
("threads N: train step … (X tok/s) …; score Y tok/s …"); each OURS.jsonl the JSON lines of
`graphlora bench train/score --json` from every round. Prints, per method and mode, the median
over rounds of each side and their ratio (> 1: the workbench is faster)."""
import json
import re
import statistics
import sys

LINE = re.compile(r"threads (\d+): train step \d+ ms \((\d+) tok/s\).*score (\d+) tok/s")


def main():
    eager_file, threads = sys.argv[1], sys.argv[2]
    eager = {"train": [], "score": []}
    for line in open(eager_file):
        m = LINE.match(line)
        if m and m.group(1) == threads:
            eager["train"].append(float(m.group(2)))
            eager["score"].append(float(m.group(3)))
    if not eager["train"]:
        sys.exit(f"cpu_ratios: no 'threads {threads}:' line in {eager_file}")
    print(f"{'method':<10} {'mode':<6} {'threads':>7} {'workbench t/s':>14} {'eager t/s':>10} {'ratio':>6}  rounds")
    for spec in sys.argv[3:]:
        method, path = spec.split("=", 1)
        ours = {"train": [], "score": []}
        for line in open(path):
            j = json.loads(line)
            ours[j["benchmark"]].append(j["tokens_per_s"])
        for mode in ("train", "score"):
            a, b = statistics.median(ours[mode]), statistics.median(eager[mode])
            rounds = "workbench " + ", ".join(f"{x:.0f}" for x in ours[mode])
            rounds += "; eager " + ", ".join(f"{x:.0f}" for x in eager[mode])
            print(f"{method:<10} {mode:<6} {threads:>7} {a:14.0f} {b:10.0f} {a / b:6.2f}  {rounds}")


if __name__ == "__main__":
    main()
