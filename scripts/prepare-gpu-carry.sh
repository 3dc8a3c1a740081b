#!/usr/bin/env bash
# On the Debian machine: fills .gpu/ (ignored by git; name it in the device tool's `carry`) with
# what scripts/gpu-session.sh needs on a GPU machine that has no package access and no ../shared:
# the Debian packages core and the CLI link (shared/gpu/fetch-debs.sh), the golden fixtures, the
# stories260K checkpoint and the CoLLM ML-1M split.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${SHARED:-$root/../shared}"
cd "$root"
grep -qx '.gpu/' .git/info/exclude 2>/dev/null || echo '.gpu/' >>.git/info/exclude
mkdir -p .gpu/fixtures
bash "$shared/gpu/fetch-debs.sh" .gpu/debs >/dev/null
cp "$shared/gpu/unpack-debs.sh" .gpu/
cp -r "$shared/fixtures/llama_dev" "$shared/fixtures/stories260K_logits.safetensors" .gpu/fixtures/
cp -r "$shared/models/stories260K" "$shared/data/ml1m-collm" .gpu/
du -sh .gpu
# The GPU build is the first to compile the 2.x side of compat.h and the CUDA branches against a
# LibTorch 2.x: check them here against newer LibTorch headers first (CHECK_LIBTORCH=0 skips it).
if [[ "${CHECK_LIBTORCH:-1}" == 1 ]]; then
    [[ -f build/compile_commands.json ]] || cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    rc=0
    python3 scripts/check-libtorch-versions.py --build build | grep -v '^  ok' || rc=$?
    [[ $rc == 0 || $rc == 77 ]] || { echo "fix these before the GPU session"; exit "$rc"; }
fi
