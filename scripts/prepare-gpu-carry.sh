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
