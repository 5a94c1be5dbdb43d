# Shared harness of the CLI end-to-end scripts (wallet_cli_test.sh, wallet_gov_test.sh): free
# port range, work dir and cleanup of the nodes, the keystore environment, and the step helpers
# (lc, expect_exit, has, out_has, err_has, json_get). Sourced after the script sets LOTCHAIN
# and, optionally, E2E_NAME (the work dir's prefix); reads $2 and $3 of the script's arguments.
LOTCHAIND=${2:?lotchaind path}
BASE_PORT=${3:?base port}
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Move to a free port range if the requested one is busy (other tests run concurrently).
BASE_PORT=$(python3 - "$BASE_PORT" <<'PY'
import socket, sys
base = int(sys.argv[1])
def free(b):
    for port in [b + off + i for off in (0, 100, 200) for i in range(4)] + [b + 99]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True
for _ in range(40):
    if free(base):
        print(base)
        sys.exit(0)
    base = 20000 + (base + 1000 - 20000) % 40000
sys.exit("no free port range")
PY
)
TMP=$(mktemp -d "/tmp/lotchain-${E2E_NAME:-e2e}.XXXXXX")
echo "work dir: $TMP, base port $BASE_PORT"
NODE_PIDS=()

cleanup() {
  local rc=$?
  for pid in "${NODE_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${NODE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$rc" -ne 0 ]; then
    for i in 0 1 2 3; do
      echo "--- node$i log (tail) ---"
      tail -n 20 "$TMP/node$i.log" 2>/dev/null || true
    done
  fi
  if [ "${LOTCHAIN_KEEP_TEST_DIRS:-0}" != "1" ]; then rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT

export LOTCHAIN_KEYSTORE="$TMP/keys"
export LOTCHAIN_PASSPHRASE="correct horse battery staple"
export LOTCHAIN_KDF_FAST=1
export LOTCHAIN_NODE="127.0.0.1:$((BASE_PORT + 100))"
unset LOTCHAIN_KEY
DEAD_NODE="127.0.0.1:$((BASE_PORT + 99))"
STEP=0

fail() {
  echo "FAIL: $*" >&2
  echo "--- stdout ---" >&2; cat "$TMP/out" >&2 || true
  echo "--- stderr ---" >&2; cat "$TMP/err" >&2 || true
  exit 1
}

# lc ARGS...: runs lotchain, output in $TMP/out and $TMP/err; must exit 0.
lc() {
  STEP=$((STEP + 1))
  if ! "$LOTCHAIN" "$@" >"$TMP/out" 2>"$TMP/err"; then fail "step $STEP: lotchain $*"; fi
}

# expect_exit CODE ARGS...: lotchain must exit with CODE.
expect_exit() {
  local want=$1
  shift
  STEP=$((STEP + 1))
  set +e
  "$LOTCHAIN" "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  set -e
  [ "$got" -eq "$want" ] || fail "step $STEP: expected exit $want, got $got: lotchain $*"
}

# start_node I [ARGS...]: starts lotchaind for $TMP/net/nodeI (log $TMP/nodeI.log).
start_node() {
  local i=$1
  shift
  "$LOTCHAIND" start --home "$TMP/net/node$i" "$@" >"$TMP/node$i.log" 2>&1 &
  NODE_PIDS+=($!)
}

# wait_serving I: waits up to 60 s until node I answers `lotchain status`.
wait_serving() {
  for _ in $(seq 1 300); do
    if "$LOTCHAIN" --node "127.0.0.1:$((BASE_PORT + 100 + $1))" status >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
}

# has FILE TEXT: FILE contains TEXT.
has() { grep -qF -- "$2" "$1" || fail "expected \"$2\" in $1"; }
out_has() { has "$TMP/out" "$1"; }
err_has() { has "$TMP/err" "$1"; }

json_get() {  # json_get EXPR: evaluates a Python expression over j = JSON of $TMP/out
  python3 -c "import json,sys; j=json.load(open('$TMP/out')); print($1)"
}

