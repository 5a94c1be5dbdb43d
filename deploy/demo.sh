#!/usr/bin/env bash
# The lotchain demo: starts a local network of 4 validators and plays a battery supply chain
# through the `lotchain` CLI — cobalt (DRC), nickel (Indonesia), lithium (Australia) and graphite
# (Mozambique) mines; a Conformant and an only-Active refiner; cathode and anode makers; a cell
# maker; an OEM building two packs; one pack reaching end of life and being recycled into new
# cells; an auditor verifying a pack's proof bundle offline. Figures and sources: docs/DEMO.md.
#
#   bash deploy/demo.sh [--out DIR] [--validators N] [--base-port P]
#
# Writes pack-a's passport, battery passports (Battery Pass, Catena-X), PCFs (Catena-X, PACT)
# and EPCIS document to DIR/exports/. Leaves the network running and DIR/demo-summary.json for
# scripts:
#   {"genesis": PATH, "grpc": HOST:PORT, "packs": [LOT…], "recycled_cells": [LOT…]}
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out=/tmp/lotchain-demo
validators=4
base_port=26600
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --validators) validators="$2"; shift 2 ;;
    --base-port) base_port="$2"; shift 2 ;;
    -h|--help) sed -n 2,14p "$0"; exit 0 ;;
    *) echo "demo: unknown option $1 (try --help)" >&2; exit 1 ;;
  esac
done
build="${LOTCHAIN_BUILD_DIR:-$repo/build}"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Building (installs Debian packages on first run)"
bash "$repo/deploy/install-deps.sh"
bash "$repo/deploy/build.sh" "$build" lotchaind lotchain
lotchain="$build/wallet-cli/lotchain"

# A fresh demo every time: stop a previous one in the same folder and start afresh.
if [ -d "$out" ]; then
  LOTCHAIN_BUILD_DIR="$build" bash "$repo/deploy/localnet.sh" down --dir "$out" >/dev/null 2>&1 || true
  rm -rf "$out"
fi
mkdir -p "$out/docs"
export LOTCHAIN_KEYSTORE="$out/keys" LOTCHAIN_PASSPHRASE="demo passphrase" LOTCHAIN_KDF_FAST=1
export LOTCHAIN_NODE="127.0.0.1:$((base_port + 100))"
# Each step prints what happened ("applied  katanga-cobalt created origin lot …"); the CLI's
# progress notes on stderr ("submitting tx … and waiting") are shown only when a step fails.
lc() { "$lotchain" "$@" 2>"$out/lc.err" || { cat "$out/lc.err" >&2; return 1; }; }
doc() { printf '%s\n' "$*" >"$out/docs/$1.txt"; echo "$out/docs/$1.txt"; }

say "Consortium keys (one per organisation, sealed with Argon2id + secretbox)"
orgs=(katanga-cobalt:miner sulawesi-nickel:miner pilbara-lithium:miner balama-graphite:miner
      nordic-refining:refiner coastal-refining:refiner anode-materials:refiner
      korea-cathode:precursor_maker,cathode_maker cell-co:cell_maker auto-oem:oem
      recycle-co:recycler,collector audit-co:auditor)
members="$out/members.json"
{
  echo "["
  first=1
  for entry in "${orgs[@]}"; do
    org="${entry%%:*}"; roles="${entry#*:}"
    lc keys new "$org" >/dev/null
    [ $first -eq 1 ] || echo ","
    first=0
    lc keys export-pub "$org" --member "$org" --org-name "$org (demo)" --roles "$roles"
  done
  echo "]"
} >"$members"
echo "${#orgs[@]} members: ${orgs[*]}"

say "Local network of $validators validators"
LOTCHAIN_BUILD_DIR="$build" bash "$repo/deploy/localnet.sh" up --dir "$out" \
  --validators "$validators" --members "$members" --base-port "$base_port" >/dev/null
for _ in $(seq 1 100); do lc status >/dev/null 2>&1 && break; sleep 0.2; done
lc status

say "Facilities"
lc facility register --key katanga-cobalt --id kolwezi-mine --kind mine --country CD \
  --name "Kolwezi copper-cobalt mine" --location -10.7167,25.4667 --wait
lc facility register --key sulawesi-nickel --id morowali-hpal --kind mine --country ID \
  --name "Morowali laterite mine and HPAL" --location -2.8500,122.1667 --wait
lc facility register --key pilbara-lithium --id pilgangoora-mine --kind mine --country AU \
  --name "Pilgangoora spodumene mine" --location -21.0333,118.9000 --wait
lc facility register --key balama-graphite --id balama-mine --kind mine --country MZ \
  --name "Balama graphite mine" --location -13.3333,38.6167 --wait
lc facility register --key nordic-refining --id kokkola-refinery --kind refinery --country FI \
  --name "Kokkola cobalt and nickel refinery" --wait
lc facility register --key coastal-refining --id lithium-converter --kind refinery --country CN \
  --name "Coastal lithium hydroxide converter" --wait
lc facility register --key anode-materials --id anode-plant --kind plant --country CN \
  --name "Spherical graphite anode plant" --wait
lc facility register --key korea-cathode --id cam-plant --kind plant --country KR \
  --name "NMC811 cathode plant" --wait
lc facility register --key cell-co --id cell-gigafactory --kind plant --country HU \
  --name "Cell gigafactory" --wait
lc facility register --key auto-oem --id pack-plant --kind plant --country DE \
  --name "Battery pack assembly" --wait
lc facility register --key recycle-co --id hydromet-plant --kind recycling --country DE \
  --name "Hydrometallurgical recycling plant" --wait

say "Audits (RMI RMAP): one refiner Conformant, one only Active"
lc audit record --key audit-co --id rmap-kokkola-2026 --facility kokkola-refinery \
  --standard "RMI RMAP Cobalt Refiner Due Diligence Standard" --status conformant \
  --date 2026-03-02 --valid-until 2027-03-01 \
  --report-file "$(doc rmap-kokkola "RMAP assessment report, Kokkola refinery, 2026 (demo)")" --wait
lc audit record --key audit-co --id rmap-coastal-2026 --facility lithium-converter \
  --standard "RMI RMAP Joint Due Diligence Standard" --status active \
  --date 2026-06-15 --valid-until 2027-06-14 \
  --report-file "$(doc rmap-coastal "RMAP commitment letter, lithium converter (demo)")" --wait

say "Origin lots at the mines (mass, element content, certificate, extraction CO2e)"
origin() {  # origin KEY LOT FACILITY MATERIAL MASS CO2E ELEMENT...
  local key=$1 lot=$2 facility=$3 material=$4 mass=$5 co2e=$6; shift 6
  local els=(); for e in "$@"; do els+=(--element "$e"); done
  lc lot create --key "$key" --id "$lot" --facility "$facility" --material "$material" \
    --mass "$mass" "${els[@]}" --issuer "Mining cadastre of the producing country" \
    --cert-number "OC-$lot" --certificate-file "$(doc "cert-$lot" "Origin certificate for $lot")" \
    --co2e "$co2e" --quality primary --wait
}
origin katanga-cobalt co-hydroxide-1 kolwezi-mine "cobalt hydroxide" 46kg 69.2kg Co=17.3kg
origin sulawesi-nickel mhp-1 morowali-hpal "mixed hydroxide precipitate" 320kg 1792kg \
  Co=4.2kg Ni=128kg
origin pilbara-lithium spodumene-1 pilgangoora-mine "spodumene concentrate SC6" 780kg 262kg \
  Li=21.8kg
origin balama-graphite graphite-1 balama-mine "natural graphite concentrate" 260kg 244kg \
  graphite=244kg

say "Due diligence: a risk flag raised and resolved, another left open"
lc flag raise --key audit-co --id flag-kolwezi-artisanal --facility kolwezi-mine \
  --category labour_rights --severity high \
  --description "artisanal miners reported on the concession edge" \
  --evidence-file "$(doc evidence-kolwezi "Field report (demo)")" --wait
lc flag resolve flag-kolwezi-artisanal --key audit-co --note "access controls and CAP verified" \
  --resolution-file "$(doc resolution-kolwezi "Corrective action plan verification (demo)")" --wait
lc flag raise --key audit-co --id flag-morowali-tailings --facility morowali-hpal \
  --category biodiversity --severity medium \
  --description "HPAL tailings storage near coastal mangroves" \
  --evidence-file "$(doc evidence-morowali "Satellite survey (demo)")" --wait

move() {  # move LOT FROM TO TRANSPORT_CO2E
  lc transfer offer "$1" --key "$2" --to "$3" --co2e "$4" --quality secondary --wait
  lc transfer accept "$1" --key "$3" --wait
}

say "Refining: cobalt and nickel sulphate (Conformant), lithium hydroxide (Active only)"
move co-hydroxide-1 katanga-cobalt nordic-refining 23kg
move mhp-1 sulawesi-nickel nordic-refining 96kg
move spodumene-1 pilbara-lithium coastal-refining 62kg
lc transform --key nordic-refining --facility kokkola-refinery --process refining \
  --input co-hydroxide-1=46kg \
  --output "id=co-sulphate-1;material=cobalt sulphate heptahydrate;mass=80kg;Co=16.5kg" \
  --reagent "material=sulphuric acid and process water;mass=40kg;co2e=5kg;quality=secondary" \
  --co2e 115kg --quality primary --wait
lc transform --key nordic-refining --facility kokkola-refinery --process refining \
  --input mhp-1=320kg \
  --output "id=ni-sulphate-1;material=nickel sulphate hexahydrate;mass=560kg;Co=3.9kg;Ni=125kg" \
  --reagent "material=sulphuric acid and process water;mass=250kg;co2e=30kg;quality=secondary" \
  --co2e 350kg --quality primary --wait
lc transform --key coastal-refining --facility lithium-converter --process refining \
  --input spodumene-1=780kg \
  --output "id=lioh-1;material=lithium hydroxide monohydrate;mass=125kg;Li=20.6kg" \
  --co2e 1051kg --quality secondary --wait

say "Anode and cathode materials"
move graphite-1 balama-graphite anode-materials 41kg
lc transform --key anode-materials --facility anode-plant --process anode \
  --input graphite-1=260kg \
  --output "id=anode-1;material=coated spherical graphite;mass=240kg;graphite=240kg" \
  --co2e 1028kg --quality secondary --wait
move co-sulphate-1 nordic-refining korea-cathode 6kg
move ni-sulphate-1 nordic-refining korea-cathode 45kg
move lioh-1 coastal-refining korea-cathode 9kg
lc transform --key korea-cathode --facility cam-plant --process cathode \
  --input ni-sulphate-1=500kg --input co-sulphate-1=55kg --input lioh-1=100kg \
  --output "id=cam-1;material=NMC811 cathode active material;mass=228kg;Co=13.9kg;Ni=110kg;Li=16.2kg" \
  --co2e 1710kg --quality primary --wait

say "Cells and packs"
move cam-1 korea-cathode cell-co 18kg
move anode-1 anode-materials cell-co 19kg
lc transform --key cell-co --facility cell-gigafactory --process cell \
  --input cam-1=228kg --input anode-1=140kg \
  --output "id=cells-a;material=NMC811 prismatic cells;mass=300kg;Co=6.75kg;Ni=54kg;Li=7.9kg;graphite=70kg" \
  --output "id=cells-b;material=NMC811 prismatic cells;mass=300kg;Co=6.75kg;Ni=54kg;Li=7.9kg;graphite=70kg" \
  --reagent "material=electrolyte, separator, current-collector foils and cans;mass=240kg;co2e=800kg;quality=secondary" \
  --co2e 2200kg --quality primary --wait
move cells-a cell-co auto-oem 12kg
move cells-b cell-co auto-oem 12kg
for p in a b; do
  lc transform --key auto-oem --facility pack-plant --process pack --input "cells-$p=300kg" \
    --output "id=pack-$p;material=75 kWh NMC811 battery pack;mass=450kg;Co=6.75kg;Ni=54kg;Li=7.9kg;graphite=70kg" \
    --reagent "material=aluminium housing, busbars, BMS and cooling plates;mass=150kg;co2e=300kg;quality=secondary" \
    --co2e 180kg --quality primary --wait
  lc battery register "pack-$p" --key auto-oem --serial "VIN-DEMO-$p" --chemistry NMC811 \
    --capacity 75kWh --lifetime 101.25MWh --wait
done

say "pack-b reaches end of life and is recycled (post-consumer)"
lc battery update pack-b --key auto-oem --soh 68% --delivered 84MWh --wait
move pack-b auto-oem recycle-co 35kg

say "A second recycler joins part-way through: proposed by recycle-co, approved by 2/3 of members"
lc keys new baltic-recycling >/dev/null
newkey=$(lc keys export-pub baltic-recycling --member baltic-recycling --org-name "Baltic Recycling" \
  --roles recycler | grep -o '[0-9a-f]\{64\}' | head -n 1)
lc gov propose --key recycle-co --id admit-baltic-recycling --add-member baltic-recycling \
  --name "Baltic Recycling UAB (demo)" --roles recycler --member-key "$newkey" \
  --rationale "hydrometallurgical capacity for end-of-life packs" --wait
# 12 members: the quorum is 8 (2/3); recycle-co's proposal counts as its approval.
for org in katanga-cobalt sulawesi-nickel pilbara-lithium balama-graphite nordic-refining \
           coastal-refining anode-materials; do
  lc gov approve admit-baltic-recycling --key "$org" --wait
done
lc gov show admit-baltic-recycling
lc facility register --key baltic-recycling --id baltic-hydromet --kind recycling --country LT \
  --name "Baltic hydrometallurgical recycling plant" --wait
move pack-b recycle-co baltic-recycling 0kg
lc recover --key baltic-recycling --facility baltic-hydromet --source post_consumer --input pack-b=450kg \
  --output "id=rec-ni-sulphate-1;material=recovered nickel sulphate;mass=230kg;Ni=51.3kg" \
  --output "id=rec-co-sulphate-1;material=recovered cobalt sulphate;mass=30kg;Co=6.4kg" \
  --output "id=rec-li-carbonate-1;material=recovered lithium carbonate;mass=29kg;Li=5.45kg" \
  --co2e 390kg --quality primary --wait

say "Recovered Ni, Co and Li flow into new cathode and new cells"
for lot in rec-ni-sulphate-1 rec-co-sulphate-1 rec-li-carbonate-1; do
  move "$lot" baltic-recycling korea-cathode 8kg
done
lc transform --key korea-cathode --facility cam-plant --process cathode \
  --input ni-sulphate-1=60kg --input rec-ni-sulphate-1=230kg --input co-sulphate-1=25kg \
  --input rec-co-sulphate-1=30kg --input lioh-1=25kg --input rec-li-carbonate-1=29kg \
  --output "id=cam-2;material=NMC811 cathode active material (recycled feed);mass=130kg;Co=7.9kg;Ni=62.8kg;Li=9.2kg" \
  --co2e 975kg --quality primary --wait
move cam-2 korea-cathode cell-co 10kg
lc transform --key cell-co --facility cell-gigafactory --process cell \
  --input cam-2=130kg --input anode-1=85kg \
  --output "id=cells-r;material=NMC811 cells with recycled content;mass=350kg;Co=7.8kg;Ni=62kg;Li=9.1kg;graphite=85kg" \
  --reagent "material=electrolyte, separator, current-collector foils and cans;mass=140kg;co2e=450kg;quality=secondary" \
  --co2e 1300kg --quality primary --wait

say "Trace of pack-a back to the mines"
lc trace pack-a
lc trace pack-a --format dot >"$out/pack-a.dot"

say "Battery passport of pack-a"
lc passport pack-a --genesis "$out/net/genesis.json"

say "Recycled content of the new cells"
lc passport cells-r --genesis "$out/net/genesis.json"

say "pack-a's documents for other systems (docs/EXPORTS.md)"
# What the chain does not hold, the OEM declares (here: the demo's assumptions, not facts).
mkdir -p "$out/exports"
declared=(--declare ipcc=AR6 --declare standard=ISO14067 --declare fossil-carbon-content=0
          --declare ccs=false --declare packaging-included=false --declare battery-category=ev)
for format in lotchain-passport batterypass catenax-battery-pass catenax-pcf pact epcis; do
  lc export --format "$format" --genesis "$out/net/genesis.json" "${declared[@]}" pack-a \
    -o "$out/exports/pack-a.$format.json"
  echo "  $format: $out/exports/pack-a.$format.json"
done
if [ -f "$repo/../shared/reference/SOURCES.md" ] || [ -n "${LOTCHAIN_REFERENCE_DIR:-}" ]; then
  args=()
  for format in batterypass catenax-battery-pass catenax-pcf pact epcis; do args+=("$format" "$out/exports/pack-a.$format.json"); done
  python3 "$repo/tests/integration/validate_exports.py" "$repo" "${args[@]}"
fi

say "The auditor exports pack-a's proof bundle and verifies it offline against genesis"
# The height the chain has reached, so an older (rosier) proof would be refused as stale.
tip="$(lc --json status | python3 -c 'import json,sys; print(int(json.load(sys.stdin).get("height", 0)))')"
lc proof export pack-a -o "$out/pack-a.bundle"
verdict=0
"$lotchain" --node 127.0.0.1:9 proof verify "$out/pack-a.bundle" --genesis "$out/net/genesis.json" \
  --min-height "$tip" || verdict=$?

grpc="$(python3 -c "import json;print(json.load(open('$out/net/testnet.json'))['nodes'][0]['grpc'])")"
cat >"$out/demo-summary.json" <<JSON
{"genesis": "$out/net/genesis.json", "grpc": "$grpc", "packs": ["pack-a", "pack-b"], "recycled_cells": ["cells-r"]}
JSON

say "Done"
cat <<NEXT
Everything is under $out (keys, network, logs, proof bundle, exports/, demo-summary.json).
The network keeps running. Try:
  export LOTCHAIN_KEYSTORE=$out/keys LOTCHAIN_PASSPHRASE='demo passphrase' LOTCHAIN_NODE=$grpc
  $lotchain lot history pack-a
  $lotchain trace mhp-1 --down                      # where the Indonesian nickel went
  $lotchain passport cells-r --json
  $lotchain proof verify $out/pack-a.bundle --genesis $out/net/genesis.json
  dot -Tsvg $out/pack-a.dot > pack-a.svg            # (apt-get install graphviz)
  curl -s http://127.0.0.1:$((base_port + 200))/metrics | grep ^lotchain_
  bash deploy/localnet.sh status --dir $out
  bash deploy/localnet.sh down --dir $out           # stop the network
NEXT
exit "$verdict"
