#!/usr/bin/env bash
# Installs what the libFuzzer build (-DLOTCHAIN_FUZZ=ON, tests/fuzz/README.md) needs on top of
# the normal build: clang 14 and its compiler-rt (libFuzzer, ASan, UBSan runtimes).
# Not needed for the normal build or for ctest's fuzz_corpus_replay. Idempotent; run as root.
set -euo pipefail
exec bash "$(dirname "$0")/install-deps.sh" clang-14 libclang-rt-14-dev
