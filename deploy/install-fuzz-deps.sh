#!/usr/bin/env bash
# Installs what the libFuzzer build (-DLOTCHAIN_FUZZ=ON, tests/fuzz/README.md) needs on top of
# deploy/install-deps.sh: clang 14 and its compiler-rt (libFuzzer, ASan, UBSan runtimes).
# Not needed for the normal build or for ctest's fuzz_corpus_replay. Idempotent; run as root.
set -euo pipefail
PKGS=(
  clang-14 libclang-rt-14-dev
)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-fuzz-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-fuzz-deps: all ${#PKGS[@]} packages already installed"
fi
