#!/usr/bin/env bash
# End-to-end test of the `lotchain` CLI against a real local network: 4 lotchaind validators on
# loopback, consortium members whose keys the CLI generates itself. Exercises every command —
# keys, every custody event, offline build/sign/submit, queries, trace, passport, proofs — and
# the documented exit codes of the error cases (usage 1, wrong passphrase 2, unreachable node 3,
# rejected transaction 4, tampered proof 5).
#
# Usage: wallet_cli_test.sh LOTCHAIN LOTCHAIND BASE_PORT
# Ports used: BASE_PORT..+3 (p2p), +100..+103 (gRPC), +200..+203 (HTTP).
# Set LOTCHAIN_KEEP_TEST_DIRS=1 to keep the temporary directory (printed at the start).
set -euo pipefail

LOTCHAIN=${1:?usage: wallet_cli_test.sh LOTCHAIN LOTCHAIND BASE_PORT}
E2E_NAME=wallet-e2e
# shellcheck source=tests/integration/e2e_lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/e2e_lib.sh" "$@"

echo "== keys: new, list, show, export-pub, import"
for k in miner refiner oem recycler collector auditor; do lc keys new "$k"; done
out_has "created key \"auditor\""
[ "$(stat -c %a "$TMP/keys/miner.json")" = "600" ] || fail "key file mode is not 0600"
lc keys list
out_has miner; out_has recycler
lc keys show miner --json
[ "$(json_get 'len(j["public_key"])')" = 64 ] || fail "public key is not 32 bytes of hex"
lc keys export-pub miner
[ "$(wc -c <"$TMP/out")" -eq 65 ] || fail "export-pub prints 64 hex digits"
python3 -c "import os; print(os.urandom(32).hex())" >"$TMP/dev.seed"
lc keys import dev "$TMP/dev.seed"
out_has "imported key \"dev\""
expect_exit 2 keys import dev "$TMP/dev.seed"   # KEY_EXISTS
err_has "already exists"

echo "== keys: a short passphrase, rename, delete (only with --yes), a damaged file is listed"
LOTCHAIN_PASSPHRASE=short expect_exit 2 keys new shorty
err_has "use at least 12"
LOTCHAIN_PASSPHRASE=short lc keys new shorty --allow-short-passphrase
lc keys rename shorty throwaway
out_has "renamed \"shorty\" to key \"throwaway\""
expect_exit 1 keys delete throwaway
err_has "pass --yes"
lc keys delete throwaway --yes
out_has "deleted key \"throwaway\""
echo '{"version": 1, "name": "broken"' >"$TMP/keys/broken.json"
lc keys list
out_has "broken"; out_has "DAMAGED:"
rm "$TMP/keys/broken.json"

member() {  # member KEY ORG ROLES
  "$LOTCHAIN" keys export-pub "$1" --member "$2" --roles "$3"
}
{
  echo "["
  member miner mine-co miner; echo ","
  member refiner refine-co refiner; echo ","
  member oem pack-co oem,cell_maker,second_life; echo ","
  member recycler recycle-co recycler; echo ","
  member collector collect-co collector; echo ","
  member auditor audit-co auditor; echo ","
  member dev dev-org miner,refiner,oem,recycler,auditor
  echo "]"
} >"$TMP/members.json"

echo "== network: 4 validators"
"$LOTCHAIND" testnet --validators 4 --out "$TMP/net" --base-port "$BASE_PORT" \
  --members "$TMP/members.json" --chain-id wallet-e2e >"$TMP/testnet.log" 2>&1 ||
  { cat "$TMP/testnet.log"; fail "lotchaind testnet"; }
for i in 0 1 2 3; do
  log_format=human
  [ "$i" -eq 3 ] && log_format=json   # node3 logs JSON lines (checked below)
  start_node "$i" --log-format "$log_format"
done
for i in 0 1 2 3; do
  wait_serving "$i"
  lc --node "127.0.0.1:$((BASE_PORT + 100 + i))" status
done
out_has "wallet-e2e"
lc status --json
[ "$(json_get 'j["chain_id"]')" = wallet-e2e ] || fail "status --json chain_id"

echo "== operators: versions, /readyz and /healthz bodies, build info and process metrics"
lc version
out_has "lotchain "; out_has "(revision "
"$LOTCHAIND" version | grep -qE "^lotchaind [0-9]+\.[0-9]+\.[0-9]+ \(revision " || fail "lotchaind version"
expect_exit 1 nosuch --help
err_has "unknown command \"nosuch\""
HTTP0="http://127.0.0.1:$((BASE_PORT + 200))"
# fetch URL: prints "STATUS BODY" (urllib raises on 503; the body still comes with it)
fetch() {
  python3 - "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=5); print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
PY
}
fetch "$HTTP0/readyz" >"$TMP/out"
out_has '200 {'; out_has '"status":"ready"'; out_has '"name":"quorum"'
fetch "$HTTP0/healthz" >"$TMP/out"
out_has '"status":"healthy"'
fetch "$HTTP0/metrics" >"$TMP/out"
out_has 'lotchain_build_info{revision="'; out_has 'process_resident_memory_bytes '
out_has 'lotchain_last_block_time_seconds '

echo "== --node A,B: the first node that answers"
lc --node "$DEAD_NODE,127.0.0.1:$((BASE_PORT + 101))" status --json
[ "$(json_get 'j["chain_id"]')" = wallet-e2e ] || fail "--node fails over to the second node"
err_has "does not answer; trying the next"

echo "== import a lotchaind key file (JSON form)"
lc keys import node0-key "$TMP/net/node0/node_key.json"

echo "== error: unreachable node -> 3, bad quantity -> 1"
expect_exit 3 --node "$DEAD_NODE" --timeout-ms 2000 status
err_has "cannot reach node"
expect_exit 1 lot create --key miner --id x --facility mine-1 --material ore --mass 0.0001g \
  --certificate-sha256 "$(printf '%064d' 0)" --issuer I --cert-number 1
err_has "whole number"
expect_exit 1 lot create --key miner --id x --facility mine-1 --material ore --mass 1200 \
  --certificate-sha256 "$(printf '%064d' 0)" --issuer I --cert-number 1
err_has "needs a unit"

echo "== facilities and audit"
lc facility register --key miner --id mine-1 --kind mine --country CD --name "Kolwezi mine" \
  --location=-10.7,25.5 --wait
out_has "applied"
lc facility register --key refiner --id ref-1 --kind refinery --country FI --name "Kokkola" --wait
lc facility register --key oem --id plant-1 --kind plant --country DE --name "Pack plant" --wait
lc facility register --key recycler --id rec-1 --kind recycling --country DE --name "Recycler" --wait
echo "RMI report" >"$TMP/report.pdf"
TODAY=$(date -u +%Y-%m-%d)
NEXT_YEAR=$(date -u -d '+1 year' +%Y-%m-%d)
lc audit record --key auditor --id rmi-1 --facility ref-1 --standard "RMI RMAP Cobalt Refiner DD Standard" \
  --status conformant --date "$TODAY" --valid-until "$NEXT_YEAR" --report-file "$TMP/report.pdf" --wait

echo "== lots and transfers (offer/accept/reject/cancel)"
echo "certificate" >"$TMP/cert.pdf"
create_lot() {  # create_lot ID MASS ELEMENTS...
  local id=$1 mass=$2
  shift 2
  local els=()
  for e in "$@"; do els+=(--element "$e"); done
  lc lot create --key miner --id "$id" --facility mine-1 --material "cobalt hydroxide" \
    --mass "$mass" "${els[@]}" --certificate-file "$TMP/cert.pdf" --issuer "CEEC" \
    --cert-number "C-$id" --co2e 350kg --quality primary --wait
}
create_lot ore-1 1.2t Co=120kg Ni=30kg
create_lot ore-2 0.5t Co=50kg
create_lot ore-3 100kg Co=10kg
lc lot show ore-1 --json
[ "$(json_get 'j["mass_grams"]')" = 1200000 ] || fail "1.2t must be 1200000 g"
[ "$(json_get 'j["footprint_co2e_grams"]')" = 350000 ] || fail "350kg CO2e"
lc transfer offer ore-1 --key miner --to refine-co --co2e 20kg --quality secondary --wait
lc lot show ore-1 --json
[ "$(json_get 'j["footprint_co2e_grams"]')" = 350000 ] || fail "transport counts only on accept"
lc transfer accept ore-1 --key refiner --wait
lc lot show ore-1
out_has "refine-co"; out_has "370 kg CO2e"
lc transfer offer ore-2 --key miner --to refine-co --wait
lc transfer reject ore-2 --key refiner --reason "wrong grade" --wait
lc transfer offer ore-2 --key miner --to refine-co --wait
lc transfer cancel ore-2 --key miner --wait
lc lot history ore-2
out_has "offered"; out_has "rejected"; out_has "cancelled"

echo "== error: rejected transaction -> 4 with its code; wrong passphrase -> 2; replayed nonce -> 4"
expect_exit 4 retire ore-1 --key miner --wait
err_has "NOT_CUSTODIAN"
LOTCHAIN_PASSPHRASE=wrong expect_exit 2 retire ore-2 --key miner --wait
err_has "wrong passphrase"
expect_exit 4 retire ore-2 --key miner --nonce 1 --wait
err_has "REPLAYED_NONCE"
expect_exit 4 retire ore-2 --key miner --nonce 1 --wait --no-preflight   # refused by the node
err_has "REPLAYED_NONCE"; err_has "refused by node"
fetch "$HTTP0/metrics" >"$TMP/out"
out_has 'lotchain_rejected_txs_total{code="REPLAYED_NONCE"} 1'

echo "== transform, recover, pack"
expect_exit 1 transform --key refiner --facility ref-1 --process refining --input ore-1=1.2t \
  --output "id=nothing-1;material=nothing;mass=0g" --wait
err_has "mass must be positive"
lc transform --key refiner --facility ref-1 --process refining --input ore-1=1.2t \
  --output "id=sulphate-1;material=cobalt sulphate;mass=600kg;Co=110kg;Ni=25kg" \
  --co2e 1t --wait
lc transfer offer sulphate-1 --key refiner --to pack-co --wait
lc transfer accept sulphate-1 --key oem --wait
lc transfer offer ore-3 --key miner --to recycle-co --wait
lc transfer accept ore-3 --key recycler --wait
expect_exit 4 recover --key recycler --facility rec-1 --source post_consumer --input ore-3=100kg \
  --output "id=rec-co-1;material=recovered cobalt;mass=50kg;Co=9kg" --co2e 30kg --wait
err_has "NOT_RECOVERABLE"
# Virgin ore is not waste; production scrap of a refinery is (pre-consumer).
lc transfer offer ore-3 --key recycler --to refine-co --wait
lc transfer accept ore-3 --key refiner --wait
# A phantom by-product to soak up the footprint: 100 kg in cannot give 1,000 t out.
expect_exit 4 transform --key refiner --facility ref-1 --process refining --input ore-3=100kg \
  --output "id=conc-1;material=cobalt concentrate;mass=60kg;Co=5kg" \
  --output "id=ghost-1;material=by-product;mass=1000t" --co2e 10kg --wait
err_has "MASS_INCREASES"; err_has "declare every reagent"
expect_exit 4 transform --key refiner --facility ref-1 --process refining --input ore-3=100kg \
  --output "id=slag-0;material=slag;mass=100kg;Co=10kg;role=waste" --wait
err_has "every output is waste"
# Declared reagents add mass (and their own footprint); the scrap takes no share of it.
# Refining declares no manufacturing scrap (virgin ore would become "recycled"): only battery
# manufacturing steps do.
expect_exit 4 transform --key refiner --facility ref-1 --process refining --input ore-3=100kg \
  --output "id=conc-1;material=cobalt concentrate;mass=60kg;Co=5kg" \
  --output "id=scrap-1;material=cobalt scrap;mass=40kg;Co=5kg;scrap=yes" --wait
err_has "only battery manufacturing"
lc transform --key refiner --facility ref-1 --process precursor --input ore-3=100kg \
  --reagent "material=sulphuric acid;mass=40kg;co2e=6kg;quality=secondary" \
  --output "id=conc-1;material=cobalt precursor;mass=100kg;Co=5kg" \
  --output "id=scrap-1;material=precursor scrap;mass=40kg;Co=5kg;scrap=yes" --co2e 10kg --wait
lc lot show scrap-1 --json
[ "$(json_get 'j.get("footprint_co2e_grams", "0")')" = 0 ] || fail "scrap takes no footprint share"
[ "$(json_get 'j.get("waste", False)')" = True ] || fail "scrap is waste"
lc trace scrap-1
out_has "waste (declared by its producer: no footprint share)"
expect_exit 4 transfer offer scrap-1 --key refiner --to pack-co --wait
err_has "WASTE_RESTRICTED"
lc transfer offer scrap-1 --key refiner --to recycle-co --wait
lc transfer accept scrap-1 --key recycler --wait
lc recover --key recycler --facility rec-1 --source pre_consumer --input scrap-1=40kg \
  --output "id=rec-co-1;material=recovered cobalt;mass=30kg;Co=4.5kg" \
  --output "id=residue-1;material=leach residue;mass=10kg;role=waste" --co2e 30kg --wait
lc transfer offer rec-co-1 --key recycler --to pack-co --wait
lc transfer accept rec-co-1 --key oem --wait
lc transform --key oem --facility plant-1 --process pack --input sulphate-1=600kg \
  --input rec-co-1=30kg --output "id=pack-1;material=NMC811 pack;mass=450kg;Co=100kg;Ni=20kg" \
  --co2e 5t --wait

echo "== battery register/update, flags"
lc battery register pack-1 --key oem --serial SN-0001 --chemistry NMC811 --capacity 75kWh \
  --lifetime 101.25MWh --wait
lc battery update pack-1 --key oem --soh 97.5% --delivered 1.5MWh --wait
lc lot show pack-1 --json
[ "$(json_get 'j["battery"]["state_of_health_ppm"]')" = 975000 ] || fail "97.5% must be 975000 ppm"
echo "evidence" >"$TMP/evidence.txt"
lc flag raise --key auditor --id flag-1 --facility mine-1 --category labour_rights \
  --severity high --evidence-file "$TMP/evidence.txt" --description "child labour report" --wait
lc flag resolve flag-1 --key auditor --resolution-file "$TMP/evidence.txt" --note "remediated" --wait
lc flag raise --key auditor --id flag-2 --lot pack-1 --category water --severity low \
  --evidence-file "$TMP/evidence.txt" --wait

echo "== queries: lot history, trace (tree/json/dot, --down), passport"
lc lot history pack-1 --json
[ "$(json_get 'len(j["events"])')" = 3 ] || fail "pack-1 has 3 events"
lc trace pack-1
out_has "pack-1"; out_has "[mine-co @ mine-1, mine, CD]"; out_has "audit: conformant"
out_has "(600 kg) sulphate-1"; out_has "recycled 100 % (recovered)"; out_has "origin CD"
out_has "CO2e +370 kg / 370 kg total"   # ore-1: extraction + its accepted transport
lc trace pack-1 --format json
[ "$(json_get 'j["nodes"][0]["lot"]["lot_id"]')" = pack-1 ] || fail "trace json root"
lc trace pack-1 --format dot
out_has "digraph trace"; out_has "\"ore-1\" -> \"sulphate-1\""
out_has "chain wallet-e2e, height "; out_has "subgraph cluster_legend"
dot -Tsvg "$TMP/out" >"$TMP/trace.svg" 2>"$TMP/dot.err" || { cat "$TMP/dot.err"; fail "dot renders the picture"; }
grep -qF "back to the mines" "$TMP/trace.svg" || fail "the SVG carries the title"
lc trace pack-1 --format dot --group-by org
out_has "subgraph cluster_org_"
dot -Tsvg "$TMP/out" >/dev/null || fail "dot renders the grouped picture"
expect_exit 1 trace pack-1 --format dot --dot-max-lots 2
err_has "GRAPH_TOO_LARGE"; err_has "--max-nodes"
lc trace ore-1 --down
out_has "pack-1"
lc trace pack-1 --max-nodes 2          # a deliberately cut view says so, first
head -1 "$TMP/out" | grep -qF "INCOMPLETE VIEW: the trace stopped at 2 lots" ||
  fail "a truncated trace must say so on its first line"
out_has "trace truncated"; out_has "refiners not conformant:  at least 0 (incomplete view)"
lc passport pack-1 --max-nodes 2 --genesis "$TMP/net/genesis.json"
head -1 "$TMP/out" | grep -qF "INCOMPLETE VIEW" || fail "a truncated passport must say so first"
grep -qF "Every upstream refiner" "$TMP/out" && fail "a truncated passport must not vouch for every refiner"
out_has "refiners beyond the incomplete view were not checked"
lc passport pack-1 --max-nodes 2 --json
[ "$(json_get 'j["complete"]')" = False ] || fail "truncated passport json must say complete=false"
lc passport pack-1 --genesis "$TMP/net/genesis.json"
out_has "BATTERY PASSPORT"; out_has "Per kWh capacity"; out_has "EU 2023/1542"
out_has "Open risk flags: 1"; out_has "Countries of origin: CD"
lc passport pack-1 --json
[ "$(json_get 'j["lot"]["lot_id"]')" = pack-1 ] || fail "passport json"
cp "$TMP/out" "$TMP/passport-cli.json"

echo "== the HTTP JSON API serves the same documents as the CLI (gRPC)"
python3 "$SCRIPT_DIR/http_api_check.py" --lotchain "$LOTCHAIN" --http "$HTTP0" \
  --genesis "$TMP/net/genesis.json" --lot pack-1 >"$TMP/out" 2>"$TMP/err" || fail "http_api_check.py"

echo "== export: the seam's formats, schema-checked"
lc export --help
out_has "lotchain-passport"
expect_exit 1 export pack-1
err_has "--format is required"
expect_exit 1 export --format no-such-format pack-1
err_has "UNKNOWN_FORMAT"; err_has "lotchain-passport"
lc status --json
HEIGHT_BEFORE=$(json_get 'j["height"]')
lc export --format lotchain-passport pack-1 --genesis "$TMP/net/genesis.json" -o "$TMP/passport.json"
python3 - "$TMP/passport.json" "$SCRIPT_DIR/../../docs/schemas/lotchain-passport-1.schema.json" \
    "$TMP/passport-cli.json" "$HEIGHT_BEFORE" <<'PY' || fail "the lotchain-passport export checks"
import json, sys
import jsonschema
doc, schema, cli = (json.load(open(p)) for p in sys.argv[1:4])
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.Draft202012Validator(schema).validate(doc)
assert doc["format"] == "lotchain-passport/1", doc["format"]
assert doc["as_of_height"] >= int(sys.argv[4]), (doc["as_of_height"], sys.argv[4])
assert doc["chain_id"] == "wallet-e2e" and len(doc["genesis_hash"]) == 64
assert doc["roll_up"] == cli["roll_up"], "export and passport --json show one computation"
assert doc["policy_known"] and doc["targets"], "the genesis policy's targets are evaluated"
jsonschema.Draft202012Validator(schema).validate(cli)
print("lotchain-passport export valid as of height", doc["as_of_height"])
PY
lc passport pack-1
out_has "As of"; out_has "height "

echo "== export: published formats, each validated against its published schema (../shared/reference)"
GENESIS_ARG=(--genesis "$TMP/net/genesis.json")
PCF_DECLARE=(--declare ipcc=AR6 --declare standard=ISO14067 --declare fossil-carbon-content=0
             --declare ccs=false --declare packaging-included=false)
lc export --help
out_has "catenax-pcf"; out_has "pact"; out_has "batterypass"; out_has "catenax-battery-pass"
out_has "epcis"; out_has "--declare"
expect_exit 1 export --format pact pack-1
err_has "EXPORT_INPUT_MISSING"; err_has "--declare ipcc=AR6"
expect_exit 1 export --format pact pack-1 --declare ipcc
err_has "KEY=VALUE"
expect_exit 1 export --format pact sulphate-1 "${PCF_DECLARE[@]}"   # all of it went into pack-1
err_has "EXPORT_NOT_APPLICABLE"; err_has "no mass left"
expect_exit 1 export --format batterypass conc-1
err_has "not a registered battery"
VALIDATE=()
for lot in pack-1 conc-1; do
  for f in catenax-pcf pact; do
    lc export --format "$f" "${GENESIS_ARG[@]}" "${PCF_DECLARE[@]}" "$lot" -o "$TMP/$f-$lot.json"
    VALIDATE+=("$f" "$TMP/$f-$lot.json")
  done
done
lc export --format batterypass pack-1 "${GENESIS_ARG[@]}" --declare battery-category=ev \
  -o "$TMP/batterypass-pack-1.json"
VALIDATE+=(batterypass "$TMP/batterypass-pack-1.json")
lc export --format catenax-battery-pass pack-1 --declare battery-category=ev \
  -o "$TMP/catenax-battery-pass-pack-1.json"
VALIDATE+=(catenax-battery-pass "$TMP/catenax-battery-pass-pack-1.json")
for lot in pack-1 ore-2 residue-1 conc-1; do   # without --genesis: the chain id from the node
  lc export --format epcis "$lot" -o "$TMP/epcis-$lot.json"
  VALIDATE+=(epcis "$TMP/epcis-$lot.json")
done
python3 "$SCRIPT_DIR/validate_exports.py" "$SCRIPT_DIR/../.." "${VALIDATE[@]}" >"$TMP/out" 2>"$TMP/err" ||
  fail "the published exports validate against their schemas"
cat "$TMP/out"
python3 - "$TMP" <<'PY' || fail "the published exports carry the roll-up's figures exactly"
import json, sys
from decimal import Decimal
tmp = sys.argv[1]
load = lambda name: json.load(open(f"{tmp}/{name}.json"), parse_float=Decimal)
roll = load("passport-cli")["roll_up"]
pact, cx, bp, ep = load("pact-pack-1"), load("catenax-pcf-pack-1"), load("batterypass-pack-1"), load("epcis-pack-1")
per_kg = Decimal(roll["co2e_mg_per_kg"]) / 1000000
share = Decimal(roll["primary_share_ppm"]) / 10000
assert Decimal(pact["pcf"]["pcfExcludingBiogenicUptake"]) == per_kg, (pact["pcf"], roll)
assert Decimal(pact["pcf"]["primaryDataShare"]) == share
stage = cx["productLifeCycleStagesAndEmissions"][0]["productionStage"][0]
assert stage["pcfExcludingBiogenicUptake"] == per_kg
assert cx["pcfAssessmentAndMethodology"][0]["dataSourcesAndQuality"][0]["primaryDataShare"] == share
per_kwh = Decimal(roll["co2e_mg_per_lifetime_kwh"]) / 1000000
assert bp["carbonFootprint"]["batteryCarbonFootprint"] == per_kwh
assert bp["carbonFootprint"]["absoluteCarbonFootprint"] == Decimal(roll["footprint_co2e_grams"]) / 1000
assert bp["generalProductInformation"]["batteryCategory"] == "ev"
cbp = load("catenax-battery-pass-pack-1")
assert cbp["sustainability"]["carbonFootprint"][0]["value"] == per_kwh
assert cbp["materials"]["active"]["cobalt"]["recycled"] == Decimal(
    [r for r in roll["recycled"] if r["element"] == "ELEMENT_CO"][0]["recycled_ppm"]) / 10000
assert [f["flagId"] for f in bp["lotchain"]["dueDiligence"]["openRiskFlags"]] == ["flag-2"]
pack = [e for e in ep["epcisBody"]["eventList"] if e["type"] == "TransformationEvent"
        and e["outputQuantityList"][0]["epcClass"].endswith(":lot:pack-1")][0]
assert [(q["epcClass"].split(":")[-1], q["quantity"]) for q in pack["inputQuantityList"]] == \
    [("sulphate-1", 600), ("rec-co-1", 30)], pack
assert pack["outputQuantityList"][0]["quantity"] == 450
print(f"figures: pack-1 {roll['footprint_co2e_grams']} g CO2e = {per_kg} kg CO2e/kg "
      f"(pact, catenax-pcf), primary {share} %, {per_kwh} kg CO2e/kWh over life (batterypass); "
      f"EPCIS pack-1 transformation 600 + 30 kg in, 450 kg out")
PY
expect_exit 1 lot show no-such-lot
err_has "no-such-lot"

echo "== offline build / sign / submit (no network for build and sign)"
PREV=$("$LOTCHAIN" lot show ore-2 --json | python3 -c "import json,sys; print(json.load(sys.stdin)['last_event_hash'])")
lc --node "$DEAD_NODE" tx build retire ore-2 --prev "$PREV" --chain-id wallet-e2e --key miner \
  --reason "sample consumed in lab" -o "$TMP/unsigned.json"
has "$TMP/unsigned.json" body_hex
lc --node "$DEAD_NODE" tx sign "$TMP/unsigned.json" -o "$TMP/signed.json"
err_has "event"; err_has "retire"
has "$TMP/signed.json" signed_tx_hex
lc tx submit "$TMP/signed.json" --wait
out_has "applied"
TX_HASH=$(python3 -c "import json; print(json.load(open('$TMP/signed.json'))['tx_hash'])")
lc tx status "$TX_HASH"
out_has "applied"
lc lot show ore-2 --json
[ "$(json_get 'j["status"]')" = LOT_STATUS_RETIRED ] || fail "ore-2 retired"
expect_exit 3 tx build retire ore-2 --node "$DEAD_NODE" --chain-id wallet-e2e --key miner
err_has "--prev"

echo "== proofs: export, verify, tamper"
lc proof export pack-1 -o "$TMP/pack-1.bundle"
out_has "wrote proof"
lc --node "$DEAD_NODE" proof verify "$TMP/pack-1.bundle" --genesis "$TMP/net/genesis.json"
out_has "VALID"
grep -qF "verifying:" "$TMP/err" && fail "no progress lines when stderr is not a terminal"
# On a terminal (script gives one) the same command shows its progress, then erases it.
script -qec "$LOTCHAIN --node $DEAD_NODE proof verify $TMP/pack-1.bundle --genesis $TMP/net/genesis.json" \
  /dev/null >"$TMP/tty.out" </dev/null || fail "proof verify on a terminal"
grep -aqF "verifying: checking block certificates" "$TMP/tty.out" || fail "progress on a terminal"
grep -aqF "VALID" "$TMP/tty.out" || fail "the verdict follows the progress"
# The chain's identity: an independent Python computation of the canonical genesis hash
# (docs/FORMAT.md "Genesis hash") must agree with the CLI's.
lc --node "$DEAD_NODE" genesis hash "$TMP/net/genesis.json" --json
WANT=$(python3 - "$TMP/net/genesis.json" <<'EOF'
import hashlib, json, sys
doc = json.load(open(sys.argv[1]))
for v in doc.get("validators", []):
    v.pop("address", None)
canon = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
print(hashlib.sha256(b"lotchain/genesis/v1\0" + canon.encode()).hexdigest())
EOF
)
[ "$(json_get 'j["genesis_hash"]')" = "$WANT" ] || fail "canonical genesis hash: CLI and Python disagree"
# Re-saved compactly with other key order, and a validator moved to a new address: same chain.
python3 - "$TMP/net/genesis.json" "$TMP/resaved.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["validators"][0]["address"] = "192.0.2.7:26656"
open(sys.argv[2], "w").write(json.dumps(dict(reversed(list(doc.items())))))
EOF
lc --node "$DEAD_NODE" proof verify "$TMP/pack-1.bundle" --genesis "$TMP/resaved.json"
out_has "VALID"
# Another chain's genesis: one message naming both chains and hashes, nothing else.
"$LOTCHAIND" testnet --validators 4 --out "$TMP/other" --base-port "$((BASE_PORT + 100))" \
  >/dev/null 2>&1 || fail "second testnet"
expect_exit 5 proof verify "$TMP/pack-1.bundle" --genesis "$TMP/other/genesis.json"
out_has "this bundle is for chain \"wallet-e2e\""; out_has "lotchain-localnet-"
[ "$(grep -c 'FAIL' "$TMP/out")" = 1 ] || { cat "$TMP/out"; fail "wrong genesis must give one failure"; }
python3 - "$TMP/pack-1.bundle" "$TMP/tampered.bundle" <<'EOF'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
# Flip one byte inside the last transaction's signed bytes region (late in the file).
data[len(data) * 2 // 3] ^= 0x01
open(sys.argv[2], "wb").write(bytes(data))
EOF
expect_exit 5 proof verify "$TMP/tampered.bundle" --genesis "$TMP/net/genesis.json"
out_has "INVALID"; out_has "FAIL"

echo "== second life"
lc battery repurpose pack-1 --key oem --application "stationary storage" --wait
lc lot show pack-1
out_has "second life:"; out_has "stationary storage"

echo "== end of life: post-consumer recovery only after a collector's custody"
lc transfer offer pack-1 --key oem --to recycle-co --wait
lc transfer accept pack-1 --key recycler --wait
expect_exit 4 recover --key recycler --facility rec-1 --source post_consumer --input pack-1=450kg \
  --output "id=rec-co-2;material=recovered cobalt;mass=100kg;Co=90kg" --co2e 20kg --wait
err_has "NOT_RECOVERABLE"; err_has "offer the battery to a collection member first"
lc lot show pack-1
out_has "end of life:"; out_has "not yet in a collector's custody"
lc transfer offer pack-1 --key recycler --to collect-co --wait
lc transfer accept pack-1 --key collector --wait
lc lot history pack-1
out_has "accepted (collected: end of life)"
lc transfer offer pack-1 --key collector --to recycle-co --wait
lc transfer accept pack-1 --key recycler --wait
lc recover --key recycler --facility rec-1 --source post_consumer --input pack-1=450kg \
  --output "id=rec-co-2;material=recovered cobalt;mass=100kg;Co=90kg" --co2e 20kg --wait
lc lot show rec-co-2 --json
[ "$(json_get 'j["composition"][0]["recycled_post_consumer_grams"]')" = 90000 ] ||
  fail "collected pack recovers as post-consumer content"

echo "== watch: committed transactions as JSON lines, replayed from a height and live"
lc watch --from-height 1 --until-height 3
python3 - "$TMP/out" <<'PY' || fail "watch --from-height 1 --until-height 3"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert [l["height"] for l in lines][:1] == [1] and lines[-1]["height"] == 3, lines
assert lines[0]["event"] == "facility register" and lines[0]["org"] == "mine-co", lines[0]
assert lines[0]["status"] == "applied" and len(lines[0]["tx_hash"]) == 64
PY
"$LOTCHAIN" watch >"$TMP/watch.out" 2>"$TMP/watch.err" &
WATCHER=$!
sleep 0.5
lc facility register --key miner --id mine-w --kind mine --country CD --name "Watched mine" --wait
for _ in $(seq 1 50); do grep -q '"mine-w"' "$TMP/watch.out" && break; sleep 0.1; done
kill "$WATCHER"; wait "$WATCHER" 2>/dev/null || true
has "$TMP/watch.out" '"facility_id":"mine-w"'

echo "== finding things: members, lots, inbox/outbox, facilities, audits, flags"
lc keys show miner
out_has "on the chain:     member mine-co, last committed nonce "
lc members list
out_has "collect-co"; out_has "cell_maker,oem,second_life"; out_has "7 members at height"
lc members list --json
[ "$(json_get 'len(j["records"])')" = 7 ] || fail "members list --json lists 7 members"
lc lot list --key recycler
out_has "rec-co-2"; out_has "lots at height"
lc lot list --key oem
grep -qF "sulphate-1" "$TMP/out" && fail "lot list hides consumed lots unless --spent"
lc lot list --key oem --spent
out_has "sulphate-1"; out_has "consumed"
lc lot list --all --limit 3
out_has "more exist (raise --limit)"
lc lot list --serial SN-0001
out_has "pack-1"
lc facility list
out_has "ref-1"; out_has "mine-1"
lc facility list --org mine-co
out_has "mine-1"; grep -qF "ref-1" "$TMP/out" && fail "facility list --org shows only that org's"
lc audit list --facility ref-1
out_has "rmi-1"; out_has "conformant"
expect_exit 1 audit list --facility no-such-facility
err_has "does not exist"
lc flag list --open
out_has "flag-2"; grep -qF "flag-1" "$TMP/out" && fail "flag-1 is resolved, not open"
lc flag list
out_has "flag-1"; out_has "resolved by audit-co"
lc transfer offer rec-co-2 --key recycler --to pack-co --wait
lc transfer inbox --key oem
out_has "rec-co-2"; out_has "offers waiting for pack-co"
lc transfer outbox --key recycler
out_has "rec-co-2"; out_has "offers sent by recycle-co"
lc transfer inbox --key miner
grep -qF "rec-co-2" "$TMP/out" && fail "an offer to pack-co is not in mine-co's inbox"

echo "== check before committing: refused locally with the chain's code, nothing sent"
expect_exit 4 transfer accept rec-co-2 --key miner --wait
err_has "NOT_OFFER_RECIPIENT"; err_has "refused before sending"; err_has "nothing was sent"
grep -qF "(tx " "$TMP/err" && fail "a preflight refusal names no committed tx"
expect_exit 4 transfer accept rec-co-2 --key miner --wait --no-preflight   # the chain agrees
err_has "NOT_OFFER_RECIPIENT"; err_has "(tx "
lc transfer accept rec-co-2 --key oem --dry-run
out_has "dry run: transfer accept"; out_has "nothing was signed or sent"; out_has "custodian:"
lc lot show rec-co-2 --json
[ "$(json_get 'j["status"]')" = LOT_STATUS_IN_TRANSIT ] || fail "a dry run changes nothing"
lc transfer accept rec-co-2 --key oem --dry-run --json
[ "$(json_get 'j["lots"][0]["custodian_org"]')" = pack-co ] || fail "dry run shows the new custodian"
lc transfer accept rec-co-2 --key oem --wait
expect_exit 4 transfer offer rec-co-2 --key oem --to recycle-c0 --wait
err_has "UNKNOWN_ORG"; err_has "close matches: recycle-co"
expect_exit 4 retire rec-co-2 --key miner --reason test --dry-run
err_has "NOT_CUSTODIAN"

echo "== JSON logs carry their fields as fields"
python3 - "$TMP/node3.log" <<'PY' || fail "node3's JSON log"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
started = [l for l in lines if l.get("event") == "started"]
assert started and started[0]["chain_id"] == "wallet-e2e" and isinstance(started[0]["height"], int), started
assert all({"time", "level", "node", "msg"} <= set(l) for l in lines), lines[:3]
commits = [l for l in lines if l.get("event") == "commit"]
assert commits and isinstance(commits[0]["height"], int) and len(commits[0]["block"]) == 64, commits[:1]
assert commits[0]["msg"].startswith("committed height %d " % commits[0]["height"]), commits[0]
PY

echo "== a file that is not a bundle"
printf 'this is not a proof bundle\377\377' >"$TMP/garbage.bundle"  # tag 0x74: a stray end-group
expect_exit 5 proof verify "$TMP/garbage.bundle" --genesis "$TMP/net/genesis.json"
out_has "not a proof bundle"; out_has "(unknown: the bundle names no lot)"
head -c 1000 "$TMP/pack-1.bundle" >"$TMP/cut.bundle"   # a download cut short
expect_exit 5 proof verify "$TMP/cut.bundle" --genesis "$TMP/net/genesis.json"
out_has "or one cut short"; grep -qF "167772160" "$TMP/out" && fail "no byte limits for a cut file"
expect_exit 1 lot create --key miner --id x --facility mine-1 --material ore --mass 50,5kg \
  --certificate-sha256 "$(printf '%064d' 0)" --issuer I --cert-number 1
err_has "the decimal separator is a dot: write 50.5kg"

echo "== waiting without a quorum: the hash first, plain words, exit 6; Ctrl-C says how to check"
kill "${NODE_PIDS[2]}" "${NODE_PIDS[3]}"
for _ in $(seq 1 100); do
  lc status --json
  [ "$(json_get 'sum(1 for v in j["validators"] if not v.get("connected", False))')" = 2 ] && break
  sleep 0.2
done
fetch "$HTTP0/readyz" >"$TMP/out"
out_has '503 {'; out_has '"failed":["quorum"]'; out_has 'connected to 1 of 3 other validators'
for _ in $(seq 1 50); do grep -q "lost the quorum of validators" "$TMP/node0.log" && break; sleep 0.1; done
has "$TMP/node0.log" "lost the quorum of validators: connected to 1 of 3 others"
expect_exit 6 facility register --key miner --id mine-9 --name "Mine nine" --kind mine --country CD --wait --wait-ms 3000
head -1 "$TMP/err" | grep -qE "^submitting tx [0-9a-f]{64} to " || fail "the hash comes first"
err_has "2 of 4 validators"; err_has "no quorum"; err_has "lotchain tx status"
[ "$(grep -c "lotchain tx status" "$TMP/err")" -eq 1 ] || fail "the advice is given once"
"$LOTCHAIN" facility register --key miner --id mine-10 --name "Mine ten" --kind mine --country CD --wait \
  --wait-ms 20000 >"$TMP/out" 2>"$TMP/err" &
WAITER=$!
for _ in $(seq 1 50); do grep -q "submitting tx" "$TMP/err" && break; sleep 0.1; done
kill -INT "$WAITER"
set +e; wait "$WAITER"; got=$?; set -e
[ "$got" -eq 130 ] || fail "Ctrl-C while waiting exits 130, got $got"
err_has "was submitted and is not withdrawn"; err_has "lotchain tx status"

echo "PASS: wallet CLI end-to-end ($STEP steps)"
