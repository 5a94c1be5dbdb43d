#!/usr/bin/python3
"""lotchain-scale: a pack with a large upstream custody graph, and what tracing and proving it costs
(issue #6, docs/PERFORMANCE.md "Scale generator").

Starts a local network of --validators lotchaind processes (tests/cluster/lotnet.py), registers a
consortium of miners, refiners, a cathode maker, a cell maker, an OEM and an auditor (each with
--keys-per-org signing keys), and builds, with the real custody events (docs/CUSTODY.md), a
custody graph whose final pack has at least --events upstream lot events:

  origin lots at 12 mines (origin certificates, extraction CO2e; one mine with an open
  biodiversity flag, one with a resolved labour-rights flag)
  -> offer/accept to three refiners (RMI audits: two Conformant, one Active only)
  -> refining transforms merging up to 48 origin lots each (Co/Ni sulphate, LiOH, anode graphite)
  -> offer/accept to the cathode maker (sulphates, LiOH) and the cell maker (anode material)
  -> precursor (Ni+Co sulphates -> pCAM) and cathode (pCAM + LiOH -> CAM) transforms
  -> offer/accept CAM to the cell maker -> cell transforms (CAM + anode -> cells)
  -> offer/accept cells to the OEM -> one pack transform -> RegisterBattery on the pack.

Every transaction is built and signed in Python before submission (event hashes are computed
locally: SHA-256("lotchain/event/v1" 0x00 prev tx_hash lot_id)). Submission runs in waves: a wave
holds only transactions whose dependencies committed in earlier waves; within a wave, M submitter
threads (own channel each, node i mod validators) send rounds of one SubmitTx per owned account,
so every account's nonces arrive in order. Every transaction must be APPLIED: a refusal at
admission or a rejection in a block stops the run and prints the code.

Then it measures (wall clock; node CPU from /proc): the gRPC Trace of the pack, `lotchain trace`
(tree and json), `lotchain passport`, `lotchain proof export` (time, bundle bytes, transactions)
and `lotchain proof verify` offline (time, blocks). Prints a summary and writes --json FILE.

Run with Debian's /usr/bin/python3 (python3-grpcio, python3-nacl, python3-protobuf), normally via
the build tree's wrapper: build/tests/bench/lotchain-scale --events 10000 --json out.json
Binaries: $LOTCHAIND and $LOTCHAIN (the wrapper defaults them to the same build tree).
"""
import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import grpc
import nacl.signing

sys.dont_write_bytecode = True  # no __pycache__ in the source tree (we import lotnet, lotchain_bench)
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(REPO, "tests", "cluster"))
sys.path.insert(0, os.path.join(REPO, "tests", "bench", "load"))
import lotnet  # noqa: E402
# Shared with the load generator: signing accounts, the WatchCommits watcher, /proc CPU, machine
# description, waiting for the validators to connect.
from lotchain_bench import (Account, CommitWatcher, machine_info, proc_cpu_seconds,  # noqa: E402
                            wait_connected)

TRACE_NODES_MAX = 200000          # core::kTraceNodesMax: ask the Trace RPC for everything
RECEIVE_BYTES_MAX = 200 << 20     # our channel's receive limit (the node sends up to 64 MiB)
REFINE_BATCH = 48                 # origin lots per refining transform (the rules allow 64)
PRECURSOR_BATCH = 48              # sulphate lots per precursor transform
INPUTS_MAX = 64                   # docs/CUSTODY.md: 1-64 inputs per transform
ZERO_HASH = bytes(32)
DAY_MS = 86400 * 1000


def log(*args):
    print("[lotchain-scale %s]" % time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def fail(message):
    log("FAILED: " + message)
    raise SystemExit(2)


# ---------------------------------------------------------------------------------------------
# The consortium and the shape of the graph.

# (org, roles, facilities: (facility id, kind name, country))
ORGS = [
    ("katanga-cobalt", ["miner"], [("kolwezi-mine-%d" % i, "MINE", "CD") for i in range(3)]),
    ("sulawesi-nickel", ["miner"], [("morowali-hpal-%d" % i, "MINE", "ID") for i in range(3)]),
    ("pilbara-lithium", ["miner"], [("pilgangoora-mine-%d" % i, "MINE", "AU") for i in range(3)]),
    ("balama-graphite", ["miner"], [("balama-mine-%d" % i, "MINE", "MZ") for i in range(3)]),
    ("nordic-refining", ["refiner"], [("kokkola-refinery", "REFINERY", "FI")]),
    ("coastal-refining", ["refiner"], [("lithium-converter", "REFINERY", "CN")]),
    ("anode-materials", ["refiner"], [("anode-plant", "REFINERY", "CN")]),
    ("korea-cathode", ["precursor_maker", "cathode_maker"], [("cam-plant", "PLANT", "KR")]),
    ("cell-co", ["cell_maker"], [("cell-gigafactory", "PLANT", "HU")]),
    ("auto-oem", ["oem"], [("pack-plant", "PLANT", "DE")]),
    ("audit-co", ["auditor"], []),
]

# Origin material per mining org: share of origin lots, material, lot mass (g), element grams
# per lot, extraction CO2e (g) per lot, refiner org and refinery, refined material and the
# element share of the refined salt.
CO, NI, LI, GRAPHITE = "ELEMENT_CO", "ELEMENT_NI", "ELEMENT_LI", "ELEMENT_GRAPHITE"
MATERIALS = [
    # org, share, material, mass, {element: grams}, co2e, refiner, refinery, product, share
    ("katanga-cobalt", 20, "cobalt hydroxide", 20_000_000, {CO: 7_000_000}, 28_000_000,
     "nordic-refining", "kokkola-refinery", "cobalt sulphate", 0.21),
    ("sulawesi-nickel", 40, "mixed hydroxide precipitate", 30_000_000,
     {CO: 390_000, NI: 12_000_000}, 168_000_000,
     "nordic-refining", "kokkola-refinery", "nickel sulphate", 0.22),
    ("pilbara-lithium", 25, "spodumene concentrate SC6", 40_000_000, {LI: 1_120_000}, 13_600_000,
     "coastal-refining", "lithium-converter", "lithium hydroxide", 0.165),
    ("balama-graphite", 15, "graphite concentrate", 25_000_000, {GRAPHITE: 23_500_000},
     25_000_000, "anode-materials", "anode-plant", "coated spherical graphite", 0.95),
]


def split_by_weight(total, weights):
    """Largest-remainder split of `total` items over `weights`, each part at least 1."""
    s = sum(weights)
    parts = [total * w // s for w in weights]
    order = sorted(range(len(weights)), key=lambda i: -(total * weights[i] % s))
    for i in order[:total - sum(parts)]:
        parts[i] += 1
    return [max(1, p) for p in parts]


def chunks(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]


def ceil_div(a, b):
    return (a + b - 1) // b


def shape(origin_lots):
    """Lot counts per level for `origin_lots` origin lots, and the number of upstream events of
    the pack (every lot's whole history: origin/refined/CAM/cell lots are created, offered,
    accepted and consumed; pCAM lots created and consumed; the pack created and registered)."""
    per_material = split_by_weight(origin_lots, [m[1] for m in MATERIALS])
    refined = [ceil_div(n, REFINE_BATCH) for n in per_material]
    sulphates = refined[0] + refined[1]
    cams = ceil_div(sulphates, PRECURSOR_BATCH)
    events = 4 * sum(per_material) + 4 * sum(refined) + 2 * cams + 4 * cams + 4 * cams + 2
    ok = (cams <= INPUTS_MAX and ceil_div(refined[2], cams) + 1 <= INPUTS_MAX and
          ceil_div(refined[3], cams) + 1 <= INPUTS_MAX)
    return {"origin": per_material, "refined": refined, "cams": cams, "events": events, "ok": ok}


def choose_origin_lots(events_min):
    lo, hi = 4, max(8, events_min // 4 + 8)
    while shape(hi)["events"] < events_min:
        hi *= 2
    while lo < hi:  # smallest count that reaches events_min (events grow with the count)
        mid = (lo + hi) // 2
        if shape(mid)["events"] >= events_min:
            hi = mid
        else:
            lo = mid + 1
    s = shape(lo)
    if not s["ok"]:
        fail("--events %d needs more than %d inputs in one transform with this shape"
             % (events_min, INPUTS_MAX))
    return lo, s


# ---------------------------------------------------------------------------------------------
# Building and signing: a local model of each lot (custodian, last event hash, composition).

class LotModel:
    def __init__(self, lot_id, custodian, mass, composition):
        self.lot_id = lot_id
        self.custodian = custodian
        self.mass = mass
        self.composition = dict(composition)  # element name -> grams
        self.last = ZERO_HASH
        self.events = 0

    def append(self, tx_hash):
        preimage = b"lotchain/event/v1\x00" + self.last + tx_hash + self.lot_id.encode()
        self.last = hashlib.sha256(preimage).digest()
        self.events += 1


class Builder:
    """Signs transactions in wave order, round-robin over each organisation's keys."""

    def __init__(self, pb, accounts_by_org, tag):
        self.pb = pb
        self.types = pb["types"]
        self.accounts = accounts_by_org
        self.next_key = {org: 0 for org in accounts_by_org}
        self.tag = tag
        self.waves = []   # list of (name, [(account index, tx hash, signed bytes)])
        self.lots = {}

    def wave(self, name):
        self.waves.append((name, []))

    def sign(self, org, body):
        keys = self.accounts[org]
        account = keys[self.next_key[org] % len(keys)]
        self.next_key[org] += 1
        tx = account.sign(body)
        tx_hash = hashlib.sha256(tx).digest()
        self.waves[-1][1].append((account.index, tx_hash, tx))
        return tx_hash

    def body(self):
        return self.pb["tx"].TxBody()

    def element(self, name):
        return self.types.Element.Value(name)

    def set_composition(self, repeated, composition):
        for name in sorted(composition, key=self.element):
            e = repeated.add()
            e.element = self.element(name)
            e.grams = composition[name]

    def register_facility(self, org, facility_id, kind, country, index):
        body = lotnet.register_facility(self.pb, facility_id,
                                        self.types.FacilityKind.Value("FACILITY_KIND_" + kind),
                                        country)
        f = body.register_facility
        f.name = "%s (%s)" % (facility_id, org)
        f.coordinates.latitude_microdeg = -10_000_000 + 1_000_000 * index
        f.coordinates.longitude_microdeg = 25_000_000 + 3_000_000 * index
        self.sign(org, body)

    def audit(self, auditor, facility_id, status, now_ms):
        body = self.body()
        a = body.record_audit
        a.audit_id = "rmap-%s-%s" % (facility_id, self.tag)
        a.facility_id = facility_id
        a.standard = "RMI RMAP Cobalt Refiner Due Diligence Standard"
        a.status = self.types.AuditStatus.Value("AUDIT_STATUS_" + status)
        a.audit_date_unix_ms = now_ms - 30 * DAY_MS
        a.valid_until_unix_ms = now_ms + 365 * DAY_MS
        a.report_sha256 = hashlib.sha256(a.audit_id.encode()).digest()
        self.sign(auditor, body)

    def raise_flag(self, org, flag_id, facility_id, category):
        body = self.body()
        f = body.raise_risk_flag
        f.flag_id = flag_id
        f.facility_id = facility_id
        f.category = self.types.RiskCategory.Value("RISK_CATEGORY_" + category)
        f.severity = self.types.SEVERITY_MEDIUM
        f.evidence_sha256 = hashlib.sha256(flag_id.encode()).digest()
        f.description = "scale generator: %s concern at %s" % (category.lower(), facility_id)
        self.sign(org, body)

    def resolve_flag(self, org, flag_id):
        body = self.body()
        r = body.resolve_risk_flag
        r.flag_id = flag_id
        r.resolution_sha256 = hashlib.sha256(b"remediated " + flag_id.encode()).digest()
        r.note = "remediation verified on site"
        self.sign(org, body)

    def create_origin(self, org, lot_id, facility_id, material, mass, composition, co2e):
        body = lotnet.create_origin_lot(self.pb, lot_id, facility_id, mass, co2e)
        c = body.create_origin_lot
        c.material = material
        self.set_composition(c.composition, composition)
        tx_hash = self.sign(org, body)
        lot = LotModel(lot_id, org, mass, composition)
        lot.append(tx_hash)
        self.lots[lot_id] = lot
        return lot

    def offer(self, lot, to_org, co2e):
        body = self.body()
        o = body.offer_transfer
        o.lot_id = lot.lot_id
        o.prev_event_hash = lot.last
        o.to_org = to_org
        o.transport_emissions.co2e_grams = co2e
        o.transport_emissions.quality = self.types.DATA_QUALITY_SECONDARY
        lot.append(self.sign(lot.custodian, body))
        lot.offered_to = to_org

    def accept(self, lot):
        body = self.body()
        a = body.accept_transfer
        a.lot_id = lot.lot_id
        a.prev_event_hash = lot.last
        lot.custodian = lot.offered_to
        lot.append(self.sign(lot.custodian, body))

    def transform(self, org, facility_id, process, inputs, out_id, material, mass_per_grams,
                  yield_ppm, co2e, take=None, out_mass=None):
        """Consumes `take` grams of each input (default: all of it); one output holding
        yield_ppm of every element consumed. A partly consumed lot keeps floor(x (M - c) / M)
        of every quantity x (docs/CUSTODY.md), so the element grams consumed are exact."""
        body = self.body()
        t = body.transform
        t.facility_id = facility_id
        t.process = self.types.ProcessKind.Value("PROCESS_KIND_" + process)
        consumed = {}
        consumed_mass = 0
        for lot in inputs:
            assert lot.custodian == org, (lot.lot_id, lot.custodian, org)
            c = lot.mass if take is None else min(take, lot.mass)
            i = t.inputs.add()
            i.lot_id = lot.lot_id
            i.prev_event_hash = lot.last
            i.mass_grams = c
            consumed_mass += c
            for element, grams in list(lot.composition.items()):
                keep = grams * (lot.mass - c) // lot.mass
                consumed[element] = consumed.get(element, 0) + grams - keep
                lot.composition[element] = keep
            lot.mass -= c
        out = {e: g * yield_ppm // 1_000_000 for e, g in consumed.items()}
        mass = out_mass or max(1, int(sum(out.values()) * mass_per_grams))
        o = t.outputs.add()
        o.lot_id = out_id
        o.material = material
        o.mass_grams = mass
        self.set_composition(o.composition, out)
        if mass > consumed_mass:
            # Outputs may weigh no more than the inputs plus declared reagents (acid and water
            # in the sulphate salts, electrolyte and housings in cells and packs), which bring
            # their own footprint: 0.2 kg CO2e per kg, secondary data.
            r = t.reagents.add()
            r.material = "process reagents"
            r.mass_grams = mass - consumed_mass
            r.emissions.co2e_grams = r.mass_grams // 5
            r.emissions.quality = self.types.DATA_QUALITY_SECONDARY
        t.process_emissions.co2e_grams = co2e
        t.process_emissions.quality = self.types.DATA_QUALITY_PRIMARY
        tx_hash = self.sign(org, body)
        for lot in inputs:
            lot.append(tx_hash)
        lot = LotModel(out_id, org, mass, out)
        lot.append(tx_hash)
        self.lots[out_id] = lot
        return lot

    def register_battery(self, org, lot, capacity_wh):
        body = self.body()
        b = body.register_battery
        b.lot_id = lot.lot_id
        b.prev_event_hash = lot.last
        b.serial = "PACK-" + self.tag
        b.chemistry = "NMC811"
        b.rated_capacity_wh = capacity_wh
        b.expected_lifetime_wh = capacity_wh * 1350
        lot.append(self.sign(org, body))


def build_graph(builder, origin_count, now_ms):
    """Signs every transaction of the graph, wave by wave; returns the pack lot model."""
    b = builder
    tag = b.tag
    b.wave("facilities")
    facility_index = 0
    for org, roles, facilities in ORGS:
        for facility_id, kind, country in facilities:
            b.register_facility(org, facility_id, kind, country, facility_index)
            facility_index += 1
    b.wave("audits and risk flags")
    b.audit("audit-co", "kokkola-refinery", "CONFORMANT", now_ms)
    b.audit("audit-co", "lithium-converter", "ACTIVE", now_ms)
    b.audit("audit-co", "anode-plant", "CONFORMANT", now_ms)
    b.raise_flag("sulawesi-nickel", "biodiversity-" + tag, "morowali-hpal-0", "BIODIVERSITY")
    b.raise_flag("katanga-cobalt", "labour-" + tag, "kolwezi-mine-1", "LABOUR_RIGHTS")
    b.wave("flag resolution")
    b.resolve_flag("audit-co", "labour-" + tag)

    s = shape(origin_count)
    mines = {org: [f[0] for f in facilities] for org, _, facilities in ORGS}
    b.wave("origin lots")
    origins = []  # per material: list of lot models
    for m, count in zip(MATERIALS, s["origin"]):
        org, _, material, mass, composition, co2e = m[:6]
        lots = []
        for j in range(count):
            vary = 1_000_000 + (j * 7919 % 200_001) - 100_000   # +-10 %, deterministic
            comp = {e: g * vary // 1_000_000 for e, g in composition.items()}
            lot_id = "%s-%s-%s-%d" % (material.split()[0][:8], "o", tag, j)
            lots.append(b.create_origin(org, lot_id, mines[org][j % len(mines[org])], material,
                                        mass * vary // 1_000_000, comp, co2e * vary // 1_000_000))
        origins.append(lots)
    b.wave("origin lots offered to refiners")
    for m, lots in zip(MATERIALS, origins):
        for j, lot in enumerate(lots):
            b.offer(lot, m[6], 500_000 + 1000 * (j % 97))
    b.wave("refiners accept")
    for lots in origins:
        for lot in lots:
            b.accept(lot)
    b.wave("refining transforms")
    refined = []
    for m, lots in zip(MATERIALS, origins):
        out = []
        for k, batch in enumerate(chunks(lots, REFINE_BATCH)):
            out.append(b.transform(m[6], m[7], "REFINING" if m[8] != "coated spherical graphite"
                                   else "ANODE", batch,
                                   "%s-r-%s-%d" % (m[8].split()[0][:8], tag, k), m[8],
                                   1 / m[9], 985_000, 2_000_000 * len(batch)))
        refined.append(out)
    b.wave("refined lots offered to the cathode and cell makers")
    for i, lots in enumerate(refined):
        to = "cell-co" if MATERIALS[i][8] == "coated spherical graphite" else "korea-cathode"
        for lot in lots:
            b.offer(lot, to, 3_000_000)
    b.wave("cathode and cell makers accept")
    for lots in refined:
        for lot in lots:
            b.accept(lot)
    b.wave("precursor transforms")
    sulphates = [lot for pair in zip(refined[0] + [None] * len(refined[1]), refined[1])
                 for lot in pair if lot is not None]
    sulphates += refined[0][len(refined[1]):]
    assert len(sulphates) == len(refined[0]) + len(refined[1])
    pcams = [b.transform("korea-cathode", "cam-plant", "PRECURSOR", batch,
                         "pcam-%s-%d" % (tag, k), "NMC811 precursor", 1 / 0.62, 990_000,
                         5_000_000 * len(batch))
             for k, batch in enumerate(chunks(sulphates, PRECURSOR_BATCH))]
    assert len(pcams) == s["cams"]
    b.wave("cathode transforms")
    lioh = [refined[2][k::len(pcams)] for k in range(len(pcams))]
    cams = [b.transform("korea-cathode", "cam-plant", "CATHODE", [pcam] + lioh[k],
                        "cam-%s-%d" % (tag, k), "NMC811 cathode active material", 1 / 0.62,
                        990_000, 20_000_000) for k, pcam in enumerate(pcams)]
    b.wave("CAM offered to the cell maker")
    for lot in cams:
        b.offer(lot, "cell-co", 8_000_000)
    b.wave("cell maker accepts")
    for lot in cams:
        b.accept(lot)
    b.wave("cell transforms")
    anode = [refined[3][k::len(cams)] for k in range(len(cams))]
    cells = [b.transform("cell-co", "cell-gigafactory", "CELL", [cam] + anode[k],
                         "cells-%s-%d" % (tag, k), "NMC811 pouch cells", 2.0, 995_000,
                         40_000_000) for k, cam in enumerate(cams)]
    b.wave("cells offered to the OEM")
    for lot in cells:
        b.offer(lot, "auto-oem", 2_000_000)
    b.wave("OEM accepts")
    for lot in cells:
        b.accept(lot)
    # The pack takes 300 kg of cells out of the cell lots (the demo's 75 kWh NMC811 pack:
    # 450 kg, docs/DEMO.md); the rest of each cell lot stays with the OEM.
    b.wave("pack transform")
    pack = b.transform("auto-oem", "pack-plant", "PACK", cells, "pack-" + tag,
                       "NMC811 battery pack", 1.0, 1_000_000, 480_000,
                       take=max(1, 300_000 // len(cells)), out_mass=450_000)
    b.wave("battery registration")
    b.register_battery("auto-oem", pack, 75_000)   # 75 kWh
    return pack, s


# ---------------------------------------------------------------------------------------------
# Submission: waves, each fully committed and applied before the next.

class WaveSubmitter(threading.Thread):
    """Rounds of one SubmitTx (no wait) per owned account, all in flight, until its queues are
    empty; retries RESOURCE_EXHAUSTED / UNAVAILABLE (a full mempool) in place, so each account's
    nonces still arrive in order; any other refusal is fatal."""

    RETRY = (grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.UNAVAILABLE,
             grpc.StatusCode.DEADLINE_EXCEEDED)

    def __init__(self, channel, pb, queues):
        super().__init__(daemon=True)
        api = pb["api"]
        self.submit = channel.unary_unary(
            "/lotchain.v1.Ledger/SubmitTx",
            request_serializer=api.SubmitTxRequest.SerializeToString,
            response_deserializer=api.TxStatus.FromString)
        self.request = api.SubmitTxRequest
        self.queues = queues   # per account: [(hash, bytes)] in nonce order
        self.error = None
        self.retries = 0

    def run(self):
        try:
            pos = 0
            while True:
                batch = [q[pos] for q in self.queues if pos < len(q)]
                if not batch:
                    return
                pos += 1
                pending = batch
                while pending:
                    futures = [(h, tx, self.submit.future(self.request(signed_tx=tx), timeout=60))
                               for h, tx in pending]
                    pending = []
                    for h, tx, f in futures:
                        try:
                            f.result()
                        except grpc.RpcError as e:
                            if e.code() in self.RETRY:
                                self.retries += 1
                                pending.append((h, tx))
                            else:
                                self.error = "tx %s refused at admission: %s: %s" % (
                                    h.hex(), e.code().name, e.details())
                                return
                    if pending:
                        time.sleep(0.2)
        except Exception as e:  # noqa: BLE001 - reported by the caller
            self.error = repr(e)


def submit_waves(builder, channels, pb, watcher, submitters, status_client):
    api = pb["api"]
    stats = []
    for name, txs in builder.waves:
        t0 = time.perf_counter()
        by_account = {}
        for account, h, tx in txs:
            by_account.setdefault(account, []).append((h, tx))
        accounts = sorted(by_account)
        m = max(1, min(submitters, len(accounts)))
        threads = [WaveSubmitter(channels[i % len(channels)], pb,
                                 [by_account[a] for a in accounts[i::m]]) for i in range(m)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for t in threads:
            if t.error:
                fail("wave \"%s\": %s" % (name, t.error))
        t_admitted = time.perf_counter()
        hashes = [h for _, h, _ in txs]
        deadline = time.time() + 120 + len(txs) / 50.0
        while True:
            commits = watcher.commits
            missing = [h for h in hashes if h not in commits]
            if not missing:
                break
            if time.time() > deadline:
                fail("wave \"%s\": %d of %d transactions not committed after %.0f s (first %s)"
                     % (name, len(missing), len(hashes), time.time() - deadline + 120,
                        missing[0].hex()))
            time.sleep(0.05)
        rejected = [h for h in hashes if commits[h][1] != 0]
        if rejected:
            for h in rejected[:10]:
                st = status_client.GetTxStatus(api.GetTxStatusRequest(tx_hash=h), timeout=10)
                log("REJECTED %s at height %d: %s: %s" % (h.hex(), st.height, st.result.reason,
                                                          st.result.message))
            fail("wave \"%s\": %d of %d transactions rejected (codes above)"
                 % (name, len(rejected), len(hashes)))
        t1 = time.perf_counter()
        retries = sum(t.retries for t in threads)
        stats.append({"wave": name, "txs": len(txs), "seconds": round(t1 - t0, 3),
                      "admit_seconds": round(t_admitted - t0, 3), "retries": retries})
        log("wave %-50s %6d txs applied in %6.2f s%s" % (
            '"%s"' % name, len(txs), t1 - t0, " (%d retries)" % retries if retries else ""))
    return stats


# ---------------------------------------------------------------------------------------------
# Measurements.

class Meter:
    """Wall time, node CPU (all validators) and child-process CPU of one measured step."""

    def __init__(self, pids):
        self.pids = pids

    def __enter__(self):
        self.cpu0 = [proc_cpu_seconds(p) for p in self.pids]
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.child0 = r.ru_utime + r.ru_stime
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        cpu1 = [proc_cpu_seconds(p) for p in self.pids]
        self.node_cpu = [None if a is None or b is None else round(b - a, 3)
                         for a, b in zip(self.cpu0, cpu1)]
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.child_cpu = round(r.ru_utime + r.ru_stime - self.child0, 3)
        return False


def run_cli(args, env, out_path=None):
    with open(out_path or os.devnull, "wb") as out:
        p = subprocess.run(args, env=env, stdout=out, stderr=subprocess.PIPE)
    return p.returncode, p.stderr.decode(errors="replace")


def run_cli_rss(args, env, out_path=None):
    """run_cli, plus the peak RSS of that one process in KiB, as `/usr/bin/time -v` reports it
    ("Maximum resident set size"), or None without /usr/bin/time. Not wait4's ru_maxrss of a child
    of this script: Linux carries the forking process's RSS (this Python process holds the traces,
    hundreds of MiB at 100,000 events) into the child's maxrss across exec."""
    time_bin = "/usr/bin/time"
    if not os.access(time_bin, os.X_OK):
        code, err = run_cli(args, env, out_path)
        return code, err, None
    with tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as rss:
        code, err = run_cli([time_bin, "-f", "%M", "-o", rss.name] + args, env, out_path)
        try:
            return code, err, int(rss.read().strip().splitlines()[-1])
        except (ValueError, IndexError):
            return code, err, None


def bundle_breakdown(pb, path):
    """Bytes of the bundle per field: how much is the transactions themselves, their audit paths
    and results, and how much the block table (headers and commit certificates, once per block;
    docs/PROOFS.md "Bundle format")."""
    bundle = pb["api"].ProofBundle()
    with open(path, "rb") as f:
        bundle.ParseFromString(f.read())
    out = {"signed_tx": 0, "tx_path": 0, "result": 0, "result_path": 0, "header": 0,
           "certificate": 0}
    for t in bundle.txs:
        out["signed_tx"] += len(t.signed_tx)
        out["tx_path"] += sum(len(p) for p in t.tx_path)
        out["result"] += len(t.result)
        out["result_path"] += sum(len(p) for p in t.result_path)
    for b in bundle.blocks:
        out["header"] += len(b.header)
        out["certificate"] += b.certificate.ByteSize()
    out["framing"] = bundle.ByteSize() - sum(out.values())
    out["distinct_blocks"] = len(bundle.blocks)
    return out


def median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 4) if values else None


def measure(args, net, pack_id, workdir, pids, lotchain):
    pb = net.pb
    api = pb["api"]
    node = net.testnet["nodes"][0]["grpc"]
    genesis = net.testnet["genesis"]
    channel = grpc.insecure_channel(node, options=[
        ("grpc.max_receive_message_length", RECEIVE_BYTES_MAX)])
    trace_rpc = channel.unary_unary("/lotchain.v1.Ledger/Trace",
                                    request_serializer=api.TraceRequest.SerializeToString,
                                    response_deserializer=api.Trace.FromString)
    keystore = os.path.join(workdir, "keystore")
    os.makedirs(keystore, mode=0o700, exist_ok=True)
    env = dict(os.environ, LOTCHAIN_KEYSTORE=keystore, LOTCHAIN_NODE=node)
    timeout = ["--timeout-ms", str(int(args.timeout * 1000))]
    r = {}

    def record(name, meter, **extra):
        entry = r.setdefault(name, {"seconds": [], "node_cpu_seconds": [], "cli_cpu_seconds": []})
        entry["seconds"].append(round(meter.seconds, 4))
        entry["node_cpu_seconds"].append(meter.node_cpu)
        entry["cli_cpu_seconds"].append(meter.child_cpu)
        entry.update(extra)

    for rep in range(args.repeat):
        # (1) gRPC Trace, everything (max_nodes = kTraceNodesMax).
        with Meter(pids) as m:
            raw = trace_rpc.with_call(api.TraceRequest(
                lot_id=pack_id, direction=api.TRACE_DIRECTION_UPSTREAM,
                max_nodes=TRACE_NODES_MAX), timeout=args.timeout)[0]
        events = sum(len(n.events) for n in raw.nodes)
        record("trace_grpc", m, lots=len(raw.nodes), edges=len(raw.edges), events=events,
               truncated=raw.truncated, bytes=raw.ByteSize())
        log("gRPC Trace: %d lots, %d events, %d edges, %d bytes in %.3f s"
            % (len(raw.nodes), events, len(raw.edges), raw.ByteSize(), m.seconds))
        # (2) CLI trace: the tree an auditor reads, and the JSON.
        for fmt in ("tree", "json"):
            out = os.path.join(workdir, "trace.%s" % fmt)
            with Meter(pids) as m:
                code, err = run_cli([lotchain] + timeout + ["trace", pack_id, "--format", fmt],
                                    env, out)
            extra = {"exit": code, "bytes": os.path.getsize(out)}
            if code != 0:
                extra["error"] = err.strip()[-2000:]
                log("lotchain trace --format %s: exit %d: %s" % (fmt, code, err.strip()[-500:]))
            elif fmt == "json":
                try:
                    with open(out) as f:
                        j = json.load(f)
                    extra["lots"] = len(j.get("nodes", []))
                    extra["truncated"] = bool(j.get("truncated", False))
                except ValueError:
                    pass
            record("trace_cli_" + fmt, m, **extra)
            log("lotchain trace --format %s: exit %d, %d bytes in %.3f s"
                % (fmt, code, extra["bytes"], m.seconds))
        # (3) passport (trace + roll-up + targets).
        with Meter(pids) as m:
            code, err = run_cli([lotchain] + timeout + ["passport", pack_id, "--genesis", genesis],
                                env, os.path.join(workdir, "passport.txt"))
        record("passport_cli", m, exit=code, **({"error": err.strip()[-2000:]} if code else {}))
        log("lotchain passport: exit %d in %.3f s" % (code, m.seconds))
        # (4) proof export.
        bundle = os.path.join(workdir, "pack.bundle")
        if os.path.exists(bundle):
            os.unlink(bundle)
        with Meter(pids) as m:
            code, err, rss = run_cli_rss([lotchain] + timeout + ["--json", "proof", "export",
                                                                 pack_id, "-o", bundle], env,
                                         os.path.join(workdir, "export.json"))
        extra = {"exit": code, "cli_max_rss_kib": rss}
        if code == 0:
            with open(os.path.join(workdir, "export.json")) as f:
                j = json.load(f)
            extra.update(bytes=j["bytes"], txs=j["txs"])
            if rep == 0:
                extra["bytes_by_field"] = bundle_breakdown(pb, bundle)
            log("lotchain proof export: %d txs, %d bytes in %.3f s" % (j["txs"], j["bytes"],
                                                                       m.seconds))
        else:
            extra["error"] = err.strip()[-2000:]
            log("lotchain proof export: exit %d in %.3f s: %s" % (code, m.seconds,
                                                                 err.strip()[-1000:]))
        record("proof_export", m, **extra)
        # (5) offline verification.
        if code == 0:
            with Meter(pids) as m:
                vcode, err, rss = run_cli_rss([lotchain, "--json", "proof", "verify", bundle,
                                               "--genesis", genesis], env,
                                              os.path.join(workdir, "verify.json"))
            extra = {"exit": vcode, "cli_max_rss_kib": rss}
            try:
                with open(os.path.join(workdir, "verify.json")) as f:
                    j = json.load(f)
                extra.update(ok=j["ok"], txs_checked=j["txs_checked"],
                             txs_replayed=j["txs_replayed"], blocks=j["blocks"],
                             failures=len(j["failures"]),
                             first_failures=j["failures"][:5])
            except (OSError, ValueError, KeyError):
                extra["error"] = err.strip()[-2000:]
            record("proof_verify", m, **extra)
            log("lotchain proof verify: exit %d (%s), %s blocks in %.3f s"
                % (vcode, "VALID" if extra.get("ok") else "INVALID", extra.get("blocks"),
                   m.seconds))
    channel.close()
    for entry in r.values():
        entry["median_seconds"] = median(entry["seconds"])
    return r


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=10000,
                    help="at least this many upstream events of the pack (default 10000)")
    ap.add_argument("--json", help="write the results to this file")
    ap.add_argument("--keys-per-org", type=int, default=8,
                    help="signing keys per organisation (default 8)")
    ap.add_argument("--submitters", type=int, default=8,
                    help="concurrent submitter threads (default 8)")
    ap.add_argument("--validators", type=int, default=4, help="local network size (default 4)")
    ap.add_argument("--block-delay-ms", type=int, default=20, help="block_delay_ms (default 20)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="measure trace/export/verify this many times (median reported)")
    ap.add_argument("--timeout", type=float, default=600,
                    help="per measured call, seconds (default 600)")
    ap.add_argument("--keep", action="store_true", help="keep the network's directory")
    args = ap.parse_args()
    if args.events < 1:
        fail("--events must be positive")

    lotchain = os.environ.get("LOTCHAIN") or os.path.join(REPO, "build/wallet-cli/lotchain")
    if not os.path.exists(lotchain):
        fail("lotchain not found at %s (set LOTCHAIN)" % lotchain)
    info = machine_info()
    log("machine: %d cores, %s, load average %s" % (info["nproc"], info["cpu_model"],
                                                     info["loadavg"]))
    origin_count, s = choose_origin_lots(args.events)
    log("shape for >= %d events: %d origin lots %s, refined %s, %d CAM/cell lots: %d events"
        % (args.events, origin_count, s["origin"], s["refined"], s["cams"], s["events"]))

    workdir = tempfile.mkdtemp(prefix="lotchain-scale-")
    net = None
    t_start = time.perf_counter()
    try:
        keys = {org: [nacl.signing.SigningKey.generate() for _ in range(args.keys_per_org)]
                for org, _, _ in ORGS}
        members = [{"org_id": org, "name": org.replace("-", " ").title(), "roles": roles,
                    "public_keys": [bytes(k.verify_key).hex() for k in keys[org]]}
                   for org, roles, _ in ORGS]
        members_file = os.path.join(workdir, "members.json")
        with open(members_file, "w") as f:
            json.dump(members, f)
        net = lotnet.Net(args.validators, name="scale", members_file=members_file,
                         block_delay_ms=args.block_delay_ms, keep=args.keep)
        pb = net.pb
        log("starting %d validators (%s) in %s" % (args.validators, net.lotchaind, net.dir))
        net.start_all()
        net.wait_ready(timeout=60)
        wait_connected(net, timeout=60)
        pids = [p.pid for p in net.procs]

        accounts, index = {}, 0
        for org, _, _ in ORGS:
            accounts[org] = []
            for k in keys[org]:
                accounts[org].append(Account(index, k, net.chain_id, pb))
                index += 1
        tag = "%x" % int(time.time())
        builder = Builder(pb, accounts, tag)
        t0 = time.perf_counter()
        pack, s = build_graph(builder, origin_count, int(time.time() * 1000))
        sign_seconds = time.perf_counter() - t0
        tx_total = sum(len(txs) for _, txs in builder.waves)
        log("signed %d transactions in %d waves in %.1f s" % (tx_total, len(builder.waves),
                                                              sign_seconds))

        addresses = [node["grpc"] for node in net.testnet["nodes"]]
        channels = [grpc.insecure_channel(a) for a in addresses]
        status_client = net.clients[0]
        start_height = status_client.status(timeout=5).height
        watcher = CommitWatcher(addresses[0], pb, start_height + 1)
        watcher.start()
        cpu0 = [proc_cpu_seconds(p) for p in pids]
        t0 = time.perf_counter()
        waves = submit_waves(builder, channels, pb, watcher, args.submitters, status_client)
        build_seconds = time.perf_counter() - t0
        cpu1 = [proc_cpu_seconds(p) for p in pids]
        end_height = status_client.status(timeout=5).height
        watcher.stop()
        for c in channels:
            c.close()
        log("all %d transactions applied in %.1f s (%.0f tx/s), heights %d..%d"
            % (tx_total, build_seconds, tx_total / build_seconds, start_height + 1, end_height))

        load_before = os.getloadavg()
        results = measure(args, net, pack.lot_id, workdir, pids, lotchain)
        load_after = os.getloadavg()

        tg = results["trace_grpc"]
        result = {
            "events_requested": args.events,
            "pack_lot_id": pack.lot_id,
            "shape": {"origin_lots": origin_count, "origin_per_material": s["origin"],
                      "refined_lots": s["refined"], "cam_and_cell_lots": s["cams"],
                      "planned_upstream_events": s["events"]},
            "upstream_events": tg["events"],
            "upstream_lots": tg["lots"],
            "upstream_edges": tg["edges"],
            "txs": tx_total,
            "waves": waves,
            "sign_seconds": round(sign_seconds, 2),
            "build_seconds": round(build_seconds, 2),
            "build_tps": round(tx_total / build_seconds, 1),
            "build_node_cpu_seconds": [None if a is None or b is None else round(b - a, 2)
                                       for a, b in zip(cpu0, cpu1)],
            "heights": [start_height + 1, end_height],
            "measurements": results,
            "trace_grpc_seconds": tg["median_seconds"],
            "trace_cli_seconds": results["trace_cli_tree"]["median_seconds"],
            "trace_cli_json_seconds": results["trace_cli_json"]["median_seconds"],
            "passport_seconds": results["passport_cli"]["median_seconds"],
            "proof_export_seconds": results["proof_export"]["median_seconds"],
            "proof_export_ok": results["proof_export"]["exit"] == 0,
            "bundle_bytes": results["proof_export"].get("bytes"),
            "bundle_txs": results["proof_export"].get("txs"),
            "proof_verify_seconds": (results["proof_verify"]["median_seconds"]
                                     if "proof_verify" in results else None),
            "proof_verify_ok": results.get("proof_verify", {}).get("ok"),
            "proof_export_max_rss_kib": results["proof_export"].get("cli_max_rss_kib"),
            "proof_verify_max_rss_kib": results.get("proof_verify", {}).get("cli_max_rss_kib"),
            "bundle_blocks": results.get("proof_verify", {}).get("blocks"),
            "total_seconds": None,
            "validators": args.validators,
            "keys_per_org": args.keys_per_org,
            "submitters": args.submitters,
            "block_delay_ms": args.block_delay_ms,
            "lotchaind": net.lotchaind,
            "lotchain": lotchain,
            "machine": dict(info, loadavg_measure_before=list(load_before),
                            loadavg_measure_after=list(load_after)),
        }
        if tg["events"] < args.events:
            fail("the trace holds %d upstream events, fewer than --events %d"
                 % (tg["events"], args.events))
        result["total_seconds"] = round(time.perf_counter() - t_start, 1)

        def sec(v):
            return "n/a" if v is None else "%.3f s" % v
        export = results["proof_export"]
        verify = results.get("proof_verify", {})
        print("pack %s: %d upstream events in %d lots (%d edges); %d txs in %d blocks, built in "
              "%.1f s (%.0f tx/s)" % (pack.lot_id, tg["events"], tg["lots"], tg["edges"],
                                      tx_total, end_height - start_height, build_seconds,
                                      tx_total / build_seconds))
        print("trace:    gRPC %s (%d bytes)   CLI tree %s   CLI json %s   passport %s"
              % (sec(tg["median_seconds"]), tg["bytes"], sec(result["trace_cli_seconds"]),
                 sec(result["trace_cli_json_seconds"]), sec(result["passport_seconds"])))
        if export["exit"] == 0:
            print("proof:    export %s, %d bytes, %d txs; verify %s, %s, %s blocks; peak RSS "
                  "export %s MiB, verify %s MiB"
                  % (sec(export["median_seconds"]), export["bytes"], export["txs"],
                     sec(verify.get("median_seconds")),
                     "VALID" if verify.get("ok") else "INVALID", verify.get("blocks"),
                     (export.get("cli_max_rss_kib") or 0) // 1024,
                     (verify.get("cli_max_rss_kib") or 0) // 1024))
            by = export.get("bytes_by_field")
            if by:
                copies = by["header"] + by["certificate"]
                print("bundle:   %.0f%% block table (headers and certificates, once for each of "
                      "%d blocks), %.0f%% signed txs, %.0f%% Merkle paths, %.0f%% results"
                      % (100.0 * copies / export["bytes"], by["distinct_blocks"],
                         100.0 * by["signed_tx"] / export["bytes"],
                         100.0 * (by["tx_path"] + by["result_path"]) / export["bytes"],
                         100.0 * by["result"] / export["bytes"]))
        else:
            print("proof:    export FAILED (exit %d) after %s: %s"
                  % (export["exit"], sec(export["median_seconds"]),
                     export.get("error", "").splitlines()[-1] if export.get("error") else ""))
        print("node cpu: trace %s, export %s (seconds per validator; node 0 serves)"
              % (tg["node_cpu_seconds"][-1], export["node_cpu_seconds"][-1]))
        print("machine:  %d cores, load average %s" % (info["nproc"],
                                                       " ".join("%.2f" % x for x in load_after)))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(result, f, indent=2)
                f.write("\n")
        bad = export["exit"] != 0 or not verify.get("ok") or any(
            results[k]["exit"] != 0 for k in ("trace_cli_tree", "trace_cli_json", "passport_cli"))
        return 1 if bad else 0
    finally:
        if net is not None:
            net.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
