#!/usr/bin/env bash
# Runs a local lotchain network in the background.
#   deploy/localnet.sh up [--validators N] [--dir DIR] [--members FILE] [--base-port P]
#   deploy/localnet.sh status [--dir DIR]
#   deploy/localnet.sh down [--dir DIR]
# Everything (homes, stores, logs, pids) lives under one folder, printed by `up`
# (default: /tmp/lotchain-localnet). Builds lotchaind first if it is missing.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cmd="${1:-}"
[ -n "$cmd" ] && shift
validators=4
dir="${LOTCHAIN_LOCALNET_DIR:-/tmp/lotchain-localnet}"
members=""
base_port=26600
while [ $# -gt 0 ]; do
  case "$1" in
    --validators) validators="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --members) members="$2"; shift 2 ;;
    --base-port) base_port="$2"; shift 2 ;;
    *) echo "localnet: unknown option $1" >&2; exit 1 ;;
  esac
done
build="${LOTCHAIN_BUILD_DIR:-$repo/build}"
lotchaind="$build/node/app/lotchaind"

ensure_built() {
  if [ ! -x "$lotchaind" ] || [ ! -x "$build/wallet-cli/lotchain" ]; then
    bash "$repo/deploy/install-deps.sh"
    bash "$repo/deploy/build.sh" "$build" lotchaind lotchain
  fi
}

node_count() { ls -d "$dir"/net/node* 2>/dev/null | wc -l; }

status() {
  [ -f "$dir/net/testnet.json" ] || { echo "no local network in $dir"; return 1; }
  local n; n=$(node_count)
  for ((i = 0; i < n; i++)); do
    local pid state="stopped"
    pid=$(cat "$dir/pids/node$i" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then state="running (pid $pid)"; fi
    local grpc http
    grpc=$(python3 -c "import json;print(json.load(open('$dir/net/testnet.json'))['nodes'][$i]['grpc'])")
    http=$(python3 -c "import json;print(json.load(open('$dir/net/testnet.json'))['nodes'][$i]['http'])")
    local height=""
    height=$(curl -s --max-time 1 "http://$http/metrics" 2>/dev/null | awk '/^lotchain_height /{print $2}' || true)
    echo "node$i  $state  grpc $grpc  http $http  height ${height:-?}"
  done
}

up() {
  ensure_built
  if [ -f "$dir/net/testnet.json" ]; then
    echo "localnet: reusing the network in $dir (run 'down' and remove it for a fresh one)"
  else
    mkdir -p "$dir"
    local args=(testnet --validators "$validators" --out "$dir/net" --base-port "$base_port")
    [ -n "$members" ] && args+=(--members "$members")
    "$lotchaind" "${args[@]}" >/dev/null
  fi
  mkdir -p "$dir/pids" "$dir/logs"
  local n; n=$(node_count)
  for ((i = 0; i < n; i++)); do
    local pid; pid=$(cat "$dir/pids/node$i" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then continue; fi
    setsid "$lotchaind" start --home "$dir/net/node$i" >>"$dir/logs/node$i.log" 2>&1 &
    echo $! >"$dir/pids/node$i"
  done
  sleep 1
  # A node that cannot start (a port taken by another network, a damaged store) exits at once:
  # say which and why, instead of leaving clients to find nothing (or something else) there.
  local failed=0
  for ((i = 0; i < n; i++)); do
    local pid; pid=$(cat "$dir/pids/node$i" 2>/dev/null || true)
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
      echo "localnet: node$i exited at start; the end of $dir/logs/node$i.log:" >&2
      tail -n 3 "$dir/logs/node$i.log" >&2 || true
      failed=1
    fi
  done
  if [ "$failed" -ne 0 ]; then
    echo "localnet: if a port is in use, another network is running there: stop it, or pass" \
         "--base-port with a free range (each network uses base..base+299)" >&2
    down >/dev/null
    exit 1
  fi
  echo "local network of $n validators running; everything is under $dir"
  echo "  logs: $dir/logs/   genesis: $dir/net/genesis.json   nodes: $dir/net/testnet.json"
  status || true
}

down() {
  local n; n=$(node_count)
  for ((i = 0; i < n; i++)); do
    local pid; pid=$(cat "$dir/pids/node$i" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -f "$dir/pids/node$i"
  done
  echo "local network in $dir stopped (data kept; remove the folder to start afresh)"
}

case "$cmd" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status [--validators N] [--dir DIR] [--members FILE] [--base-port P]" >&2; exit 1 ;;
esac
