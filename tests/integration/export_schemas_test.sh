#!/usr/bin/env bash
# The published export formats of a mine-to-pack chain (the PublishedExports unit tests of
# core_test, which write each document they render), validated against the published schemas
# in ../shared/reference by validate_exports.py. No network: runs in a second.
#
# Usage: export_schemas_test.sh CORE_TEST
set -euo pipefail
CORE_TEST=${1:?usage: export_schemas_test.sh CORE_TEST}
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d /tmp/lotchain-export-schemas.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
LOTCHAIN_EXPORT_DUMP_DIR="$TMP" "$CORE_TEST" --gtest_filter='PublishedExports.*' >"$TMP/gtest.log" ||
  { cat "$TMP/gtest.log"; exit 1; }
ARGS=()
for f in catenax-pcf pact batterypass catenax-battery-pass epcis; do
  [ -f "$TMP/$f-pack.json" ] || { echo "FAIL: no $f document was rendered"; exit 1; }
  ARGS+=("$f" "$TMP/$f-pack.json")
done
# Exit 77 (ctest: Skipped, not Passed) when the reference folder is absent.
python3 "$SCRIPT_DIR/validate_exports.py" --skip-exit 77 "$SCRIPT_DIR/../.." "${ARGS[@]}"
