"""Harness for multi-process tests: a local lotchaind network on loopback, driven from Python.

Only the .proto files and docs/FORMAT.md are used to talk to the nodes: messages are generated
with protoc --python_out, gRPC calls go through grpcio's generic unary/stream API, signatures are
made with PyNaCl. This doubles as proof that a non-C++ client can use lotchain.

Run with Debian's /usr/bin/python3 (python3-grpcio, python3-nacl, python3-protobuf).
"""
import fcntl
import importlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import grpc
import nacl.signing

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_protos(workdir):
    """Generates Python modules for proto/lotchain/v1/*.proto with protoc and imports them."""
    out = os.path.join(workdir, "py")
    os.makedirs(out, exist_ok=True)
    proto_dir = os.path.join(REPO, "proto")
    files = sorted(
        os.path.join("lotchain/v1", f)
        for f in os.listdir(os.path.join(proto_dir, "lotchain/v1"))
        if f.endswith(".proto"))
    subprocess.run(["protoc", "-I", proto_dir, "--python_out", out] + files, check=True)
    for pkg in ("lotchain", "lotchain/v1"):
        open(os.path.join(out, pkg, "__init__.py"), "a").close()
    sys.path.insert(0, out)
    mods = {}
    for name in ("types", "governance", "tx", "state", "block", "api", "p2p"):
        mods[name] = importlib.import_module("lotchain.v1.%s_pb2" % name)
    return mods


class Ledger:
    """A gRPC client for lotchain.v1.Ledger built from the generated message classes."""

    def __init__(self, address, pb):
        self.address = address
        self.channel = grpc.insecure_channel(address)
        self.pb = pb
        api = pb["api"]
        state = pb["state"]

        def unary(name, req, resp):
            return self.channel.unary_unary(
                "/lotchain.v1.Ledger/" + name,
                request_serializer=req.SerializeToString,
                response_deserializer=resp.FromString)

        self.SubmitTx = unary("SubmitTx", api.SubmitTxRequest, api.TxStatus)
        self.SubmitTxBatch = unary("SubmitTxBatch", api.SubmitTxBatchRequest,
                                   api.SubmitTxBatchResponse)
        self.GetTxStatus = unary("GetTxStatus", api.GetTxStatusRequest, api.TxStatus)
        self.GetLot = unary("GetLot", api.GetLotRequest, state.Lot)
        self.GetLotHistory = unary("GetLotHistory", api.GetLotHistoryRequest, api.LotHistory)
        self.Trace = unary("Trace", api.TraceRequest, api.Trace)
        self.GetBlock = unary("GetBlock", api.GetBlockRequest, api.BlockWithCert)
        self.GetStatus = unary("GetStatus", api.GetStatusRequest, api.NodeStatus)
        self.GetLotProof = unary("GetLotProof", api.GetLotProofRequest, api.ProofBundle)

    def status(self, timeout=10.0):
        # GetStatus waits for the node's loop (up to 2 s, twice); a busy node on a loaded
        # 2-core machine is slow, not down, so the deadline is generous. A dead node fails fast.
        return self.GetStatus(self.pb["api"].GetStatusRequest(), timeout=timeout)

    def submit(self, signed_tx_bytes, wait=False, timeout=30.0):
        api = self.pb["api"]
        req = api.SubmitTxRequest(signed_tx=signed_tx_bytes, wait_for_commit=wait,
                                  wait_timeout_ms=int(timeout * 1000))
        return self.SubmitTx(req, timeout=timeout + 5)

    def close(self):
        self.channel.close()


class Member:
    """A consortium member's signing key (a lotchaind key file: {"public_key", "seed"})."""

    def __init__(self, key_file, chain_id, pb):
        with open(key_file) as f:
            data = json.load(f)
        self.key = nacl.signing.SigningKey(bytes.fromhex(data["seed"]))
        self.public_key = bytes(self.key.verify_key)
        assert self.public_key.hex() == data["public_key"]
        self.chain_id = chain_id
        self.pb = pb
        self.nonce = int(time.time() * 1000)  # nonces must only increase (docs/CUSTODY.md)

    def sign(self, body):
        """Fills chain id and nonce, signs per docs/FORMAT.md; returns SignedTx bytes."""
        body.chain_id = self.chain_id
        if body.nonce == 0:
            self.nonce += 1
            body.nonce = self.nonce
        body_bytes = body.SerializeToString()
        payload = b"lotchain/tx/v1\x00" + self.chain_id.encode() + b"\x00" + body_bytes
        signature = self.key.sign(payload).signature
        return self.pb["tx"].SignedTx(
            body=body_bytes, signer=self.public_key, signature=signature).SerializeToString()


# Port slots for test networks: 300 ports each (p2p base+i, gRPC base+100+i, HTTP base+200+i),
# below the kernel's ephemeral range (32768+), and clear of the wallet CLI test's fixed 28600.
PORT_SLOTS = [b for b in range(20000, 32400 - 300, 300) if b + 300 <= 28600 or b >= 28900]


def reserve_base_port():
    """(base, lock): a free port slot, held by an exclusive lock file until `lock` is closed.

    Tests run concurrently (ctest -j2): the lock keeps two networks out of one slot even when
    both probe before either binds, and aligned slots cannot partly overlap."""
    slots = list(PORT_SLOTS)
    random.SystemRandom().shuffle(slots)
    for base in slots:
        lock = open(os.path.join(tempfile.gettempdir(), "lotchain-port-slot-%d.lock" % base), "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        ok = True
        for port in (base + off + i for off in (0, 100, 200) for i in range(8)):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return base, lock
        lock.close()
    raise RuntimeError("no free port slot in 20000-32099 (all %d taken or locked)" % len(slots))


class Net:
    """A local network of `n` validators, each a real lotchaind process."""

    def __init__(self, n=4, name="net", members_file=None, block_delay_ms=20, keep=False,
                 hosts=None):
        self.lotchaind = os.environ.get("LOTCHAIND") or os.path.join(
            REPO, "build/node/app/lotchaind")
        if not os.path.exists(self.lotchaind):
            raise SystemExit("lotchaind not found at %s (set LOTCHAIND)" % self.lotchaind)
        self.dir = tempfile.mkdtemp(prefix="lotchain-%s-" % name)
        self.keep = keep
        self.n = n
        self.procs = [None] * n
        self.logs = [None] * n
        self.pb = load_protos(self.dir)
        self.base_port, self._port_lock = reserve_base_port()
        cmd = [self.lotchaind, "testnet", "--validators", str(n), "--out",
               os.path.join(self.dir, "net"), "--base-port", str(self.base_port),
               "--chain-id", "lotchain-" + name, "--block-delay-ms", str(block_delay_ms)]
        if members_file:
            cmd += ["--members", members_file]
        if hosts:  # node i listens on hosts[i]; peers through each config's [p2p] peers
            cmd += ["--hosts", ",".join(hosts)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(self.dir, "net", "testnet.json")) as f:
            self.testnet = json.load(f)
        self.chain_id = self.testnet["chain_id"]
        self.clients = [Ledger(node["grpc"], self.pb) for node in self.testnet["nodes"]]

    def home(self, i):
        return self.testnet["nodes"][i]["home"]

    def dev_member(self):
        return Member(self.testnet["dev_member_key"], self.chain_id, self.pb)

    def register_mine(self, member, facility_id="mine-1", node=0):
        """Registers a mine as `member` through node `node` and waits for the commit; asserts it
        applied and returns the TxStatus."""
        pb = self.pb
        r = self.clients[node].submit(
            member.sign(register_facility(pb, facility_id, pb["types"].FACILITY_KIND_MINE)), wait=True)
        check(r.status == pb["api"].TX_STATUS_APPLIED, "registering %s failed: %s" % (facility_id, r))
        return r

    def start(self, i):
        assert self.procs[i] is None or self.procs[i].poll() is not None
        log = open(os.path.join(self.dir, "node%d.log" % i), "ab")
        self.logs[i] = log
        self.procs[i] = subprocess.Popen(
            [self.lotchaind, "start", "--home", self.home(i)], stdout=log, stderr=log,
            start_new_session=True)

    def start_all(self):
        for i in range(self.n):
            self.start(i)

    def kill(self, i):
        """SIGKILL: no chance to flush or say goodbye."""
        p = self.procs[i]
        if p is not None and p.poll() is None:
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=10)
        self.procs[i] = None

    def stop(self, i, timeout=20):
        """SIGTERM and wait for a clean exit; returns the exit code."""
        p = self.procs[i]
        if p is None:
            return None
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        code = p.wait(timeout=timeout)
        self.procs[i] = None
        return code

    def alive(self, i):
        return self.procs[i] is not None and self.procs[i].poll() is None

    def status(self, i):
        try:
            return self.clients[i].status()
        except grpc.RpcError:
            return None

    def wait_ready(self, nodes=None, timeout=60):
        nodes = range(self.n) if nodes is None else nodes
        deadline = time.time() + timeout
        for i in nodes:
            while self.status(i) is None:
                if time.time() > deadline:
                    raise AssertionError("node %d not serving after %ds; log:\n%s"
                                         % (i, timeout, self.tail(i)))
                if not self.alive(i):
                    raise AssertionError("node %d exited; log:\n%s" % (i, self.tail(i)))
                time.sleep(0.1)

    def wait_height(self, height, nodes=None, timeout=60):
        nodes = range(self.n) if nodes is None else nodes
        deadline = time.time() + timeout
        while True:
            statuses = {i: self.status(i) for i in nodes}
            hs = {i: (s.height if s is not None else -1) for i, s in statuses.items()}
            if all(h >= height for h in hs.values()):
                return hs
            if time.time() > deadline:
                raise AssertionError("height %d not reached in %ds: %s" % (height, timeout, hs))
            time.sleep(0.1)

    def tail(self, i, lines=40):
        path = os.path.join(self.dir, "node%d.log" % i)
        try:
            with open(path, "rb") as f:
                return b"".join(f.readlines()[-lines:]).decode(errors="replace")
        except OSError:
            return "(no log)"

    def close(self):
        for i in range(self.n):
            try:
                self.kill(i)
            except Exception:  # noqa: BLE001 - best-effort teardown
                pass
        for c in self.clients:
            c.close()
        self._port_lock.close()  # the slot is free again once the nodes are gone
        if not self.keep and os.environ.get("LOTCHAIN_KEEP_TEST_DIRS") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)


# Transaction builders (docs/CUSTODY.md).
def register_facility(pb, facility_id, kind, country="CD"):
    body = pb["tx"].TxBody()
    f = body.register_facility
    f.facility_id = facility_id
    f.kind = kind
    f.country = country
    f.name = facility_id + " site"
    return body


def create_origin_lot(pb, lot_id, facility_id, mass_grams, co2e_grams, composition=()):
    body = pb["tx"].TxBody()
    c = body.create_origin_lot
    c.lot_id = lot_id
    c.facility_id = facility_id
    c.material = "ore concentrate"
    c.mass_grams = mass_grams
    for element, grams in composition:
        e = c.composition.add()
        e.element = element
        e.grams = grams
    import hashlib
    c.certificate.document_sha256 = hashlib.sha256(lot_id.encode()).digest()
    c.certificate.issuer = "Ministry of Mines"
    c.certificate.number = "CERT-" + lot_id
    c.emissions.co2e_grams = co2e_grams
    c.emissions.quality = pb["types"].DATA_QUALITY_PRIMARY
    return body


def check(cond, message):
    if not cond:
        raise AssertionError(message)
