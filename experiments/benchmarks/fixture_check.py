#!/usr/bin/env python3
"""Relative error of `graphlora logits` outputs against the golden fixtures (shared/fixtures).

usage: fixture_check.py TOLERANCE OURS.safetensors FIXTURE.safetensors [OURS FIXTURE ...]
Error = ||ours - ref|| / ||ref|| over the fixture's finite entries (the LoRA fixtures' padded
rows are NaN). Prints one line per pair and exits 1 if any pair exceeds TOLERANCE.
"""
import sys

import numpy as np
from safetensors.numpy import load_file


def main():
    if len(sys.argv) < 4 or len(sys.argv) % 2:
        sys.exit(__doc__)
    tolerance = float(sys.argv[1])
    worst = 0.0
    for ours_path, ref_path in zip(sys.argv[2::2], sys.argv[3::2]):
        try:
            ours = load_file(ours_path)["logits"].astype(np.float64)
        except Exception as e:  # a failed run leaves no file
            print(f"FAIL {ours_path}: {e}")
            worst = float("inf")
            continue
        ref = load_file(ref_path)["logits"].astype(np.float64)
        if ours.shape != ref.shape:
            print(f"FAIL {ours_path}: shape {ours.shape} vs {ref.shape}")
            worst = float("inf")
            continue
        finite = np.isfinite(ref)
        diff = np.linalg.norm((ours - ref)[finite]) / np.linalg.norm(ref[finite])
        worst = max(worst, diff)
        print(f"{'ok  ' if diff <= tolerance else 'FAIL'} {ours_path} vs {ref_path}: relative error {diff:.3e}")
    sys.exit(0 if worst <= tolerance else 1)


if __name__ == "__main__":
    main()
