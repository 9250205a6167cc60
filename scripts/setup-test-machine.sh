#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian 12 machine:
# Debian's chromium (Playwright drives it; no browser download), xvfb, the
# Fashion-MNIST dataset package, numpy (an independent reference for metric
# tests), fonts for sheet labels, EGL + OpenGL ES with Mesa's DRI drivers (llvmpipe: the WebGPU
# adapter the webgpu backend's tests run on without a GPU), oneDNN (libdnnl-dev: the native
# kernels npm's postinstall builds, scripts/build-native.mjs), then the npm packages from the
# lock file.
# PyTorch is only for benchmarks: see docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  chromium xvfb dataset-fashion-mnist python3-numpy fonts-dejavu-core \
  libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri g++ make libdnnl-dev >/dev/null
npm ci --no-audit --no-fund
