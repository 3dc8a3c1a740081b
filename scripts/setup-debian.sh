#!/usr/bin/env bash
# Installs every Debian package GraphLoRA Workbench needs to build, test and run its demo.
# Usage: sudo scripts/setup-debian.sh   (idempotent; safe to run again)
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev             # LibTorch 1.13 (CPU) — the tensor engine of core/
  libopenblas0-pthread     # without it LibTorch's fp32 GEMM falls back to reference BLAS (~50x slower)
  libsqlite3-dev           # experiment store
  nlohmann-json3-dev       # configs, safetensors headers
  libsentencepiece-dev     # LLaMA tokenizer.model
  libcli11-dev libfmt-dev  # command line, formatting
  libgloo-dev              # headers of the Gloo backend LibTorch links: data-parallel runs (core/dist)
  qt6-base-dev qt6-svg-dev libqcustomplot-dev  # workbench UI and figure export
  libgl-dev xvfb           # offscreen/virtual display for UI tests and screenshots
  r-base-core r-cran-dslabs  # the demo's MovieLens ratings (exported once to CSV)
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "setup-debian: all ${#packages[@]} packages present"
