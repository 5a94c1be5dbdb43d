#!/usr/bin/env bash
# End-to-end test of the governance commands of `lotchain` against a real local network: 4
# lotchaind validators on loopback (each operated by a member: `lotchaind testnet` assigns the
# members round-robin), 4 members whose keys the CLI generates. Adds a member by quorum (whose
# key then registers a facility), defeats a proposal by rejections, rotates a key (after which
# the old key is refused with KEY_REVOKED), and checks `gov list|show` text and JSON,
# `members list` statuses and the error exits.
#
# Usage: wallet_gov_test.sh LOTCHAIN LOTCHAIND BASE_PORT
# Ports used: BASE_PORT..+3 (p2p), +100..+103 (gRPC), +200..+203 (HTTP).
# Set LOTCHAIN_KEEP_TEST_DIRS=1 to keep the temporary directory (printed at the start).
set -euo pipefail

LOTCHAIN=${1:?usage: wallet_gov_test.sh LOTCHAIN LOTCHAIND BASE_PORT}
E2E_NAME=gov-e2e
# shellcheck source=tests/integration/e2e_lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/e2e_lib.sh" "$@"

echo "== keys and a 4-member, 4-validator network"
for k in miner refiner oem auditor newco; do lc keys new "$k"; done
member() {  # member KEY ORG ROLES
  "$LOTCHAIN" keys export-pub "$1" --member "$2" --roles "$3"
}
{
  echo "["
  member miner mine-co miner; echo ","
  member refiner refine-co refiner; echo ","
  member oem pack-co oem,cell_maker; echo ","
  member auditor audit-co auditor
  echo "]"
} >"$TMP/members.json"
"$LOTCHAIND" testnet --validators 4 --out "$TMP/net" --base-port "$BASE_PORT" \
  --members "$TMP/members.json" --chain-id gov-e2e >"$TMP/testnet.log" 2>&1 ||
  { cat "$TMP/testnet.log"; fail "lotchaind testnet"; }
python3 -c "
import json; g = json.load(open('$TMP/net/genesis.json'))
ops = [v.get('operator') for v in g['validators']]
assert ops == ['mine-co', 'refine-co', 'pack-co', 'audit-co'], ops" || fail "validator operators"
for i in 0 1 2 3; do start_node "$i"; done
for i in 0 1 2 3; do wait_serving "$i"; done
lc status
out_has "gov-e2e"

echo "== add a member by quorum (3 of 4)"
NEWCO_PUB=$("$LOTCHAIN" keys export-pub newco)
expect_exit 1 gov propose --id twice --suspend pack-co --remove pack-co --key miner
err_has "exactly one change"
expect_exit 1 gov propose --id bad-role --add-member x-co --name X --roles wizard \
  --member-key "$NEWCO_PUB" --key miner
err_has "\"wizard\" is not one of"
lc gov propose --id add-newco --add-member new-co --name "New Co" --roles miner \
  --member-key "$NEWCO_PUB" --rationale "a new cobalt mine" --key miner --wait
out_has "applied"
lc gov list
out_has "add-newco"; out_has "open"; out_has "add_member new-co"; out_has "1 open proposals"
lc gov list --json
[ "$(json_get 'j["records"][0]["effective_status"]')" = open ] || fail "gov list --json status"
[ "$(json_get 'len(j["records"][0]["approvals"])')" = 1 ] || fail "gov list --json approvals"
# Not yet a member: the new key is refused before anything is sent.
expect_exit 4 facility register --key newco --id newco-mine --kind mine --country AU --name "NewCo mine"
lc gov approve add-newco --key refiner --wait
lc gov show add-newco
out_has "open"; out_has "2: mine-co,refine-co"
lc gov approve add-newco --key oem --wait
out_has "applied"
lc gov show add-newco
out_has "adopted"; out_has "proposer"; out_has "mine-co"; out_has "3: mine-co,pack-co,refine-co"
out_has "effective from"
lc gov show add-newco --json
[ "$(json_get 'j["effective_status"]')" = adopted ] || fail "gov show --json status"
[ "$(json_get 'j["decided_height"] > 0')" = True ] || fail "gov show --json decided_height"
lc gov list
out_has "0 open proposals"
lc gov list --all
out_has "add-newco"; out_has "adopted"
lc members list
out_has "new-co"; out_has "New Co"; out_has "active"
lc facility register --key newco --id newco-mine --kind mine --country AU --name "NewCo mine" --wait
out_has "applied"

echo "== a proposal defeated by rejections"
lc gov propose --id suspend-pack --suspend pack-co --rationale "late reports" --key miner --wait
lc gov reject suspend-pack --reason "not proven" --key refiner --wait
lc gov reject suspend-pack --key auditor --wait
lc gov show suspend-pack
out_has "rejected"; out_has "2: audit-co,refine-co"
expect_exit 4 gov approve suspend-pack --key oem
err_has "PROPOSAL_DECIDED"
expect_exit 4 gov approve no-such-proposal --key oem
err_has "UNKNOWN_PROPOSAL"
expect_exit 1 gov show no-such-proposal
err_has "UNKNOWN_PROPOSAL"
lc gov list --all --json
[ "$(json_get 'sorted(r["effective_status"] for r in j["records"])')" = "['adopted', 'rejected']" ] ||
  fail "gov list --all statuses"
lc members list
out_has "pack-co"

echo "== keys rotate: the new key signs, the old one is refused with KEY_REVOKED"
OLD_PUB=$("$LOTCHAIN" keys export-pub refiner)
lc keys rotate --key refiner
out_has "rotated"; out_has "KEY_REVOKED"
NEW_PUB=$("$LOTCHAIN" keys export-pub refiner)
[ "$OLD_PUB" != "$NEW_PUB" ] || fail "keys rotate kept the old key"
ROTATED=$(cd "$TMP/keys" && ls refiner.rotated-*.json | sed 's/\.json$//')
[ -n "$ROTATED" ] || fail "the old key file was not kept"
[ "$("$LOTCHAIN" keys export-pub "$ROTATED")" = "$OLD_PUB" ] || fail "the kept key is not the old one"
[ ! -e "$TMP/keys/refiner.next.json" ] || fail "refiner.next left behind"
expect_exit 4 facility register --key "$ROTATED" --id ref-old --kind refinery --country FI --name Old
err_has "KEY_REVOKED"
expect_exit 4 facility register --key "$ROTATED" --id ref-old --kind refinery --country FI \
  --name Old --no-preflight --wait
err_has "KEY_REVOKED"
lc facility register --key refiner --id ref-new --kind refinery --country FI --name New --wait
out_has "applied"
lc keys show refiner
out_has "refine-co"

echo "PASS wallet_gov_test"
