#!/usr/bin/env bash
# Installs every build and test dependency of lotchain on a fresh Debian 12 machine.
# Idempotent: packages already present are skipped. Must run as root (or with sudo).
# Usage: deploy/install-deps.sh [EXTRA_PACKAGE...]   (extra packages are installed too)
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  protobuf-compiler libprotobuf-dev
  libgrpc++-dev protobuf-compiler-grpc
  librocksdb-dev
  libsodium-dev libssl-dev libjemalloc-dev
  libboost-dev libboost-system-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libtomlplusplus-dev libspdlog-dev libfmt-dev
  prometheus-cpp-dev
  python3 python3-grpcio python3-nacl python3-protobuf python3-jsonschema python3-yaml curl procps
  graphviz
  systemd  # systemd-analyze for the deploy_systemd_unit test (no systemd needs to run)
  "$@"
)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all ${#PKGS[@]} packages already installed"
fi
