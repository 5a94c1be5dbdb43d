#!/usr/bin/python3
"""lotchain-bench: end-to-end load generator for a lotchain network (issue #6, docs/PERFORMANCE.md).

K signing accounts (genesis members whose keys this program generates and holds), M concurrent
submitters over gRPC for T seconds, against --node ADDR (with --member-key files for the accounts)
or, without it, a local network of --validators lotchaind processes that it starts and stops.

Every transaction is signed before the timed window (RegisterFacility with a distinct facility id:
a cheap, valid custody event). Each submitter owns a disjoint set of accounts and its own channel.
With --batch 1 (the default) it sends rounds of one unary SubmitTx per account, all in flight at
once, as fast as the node admits them. With --batch B > 1 it sends SubmitTxBatch calls of B
transactions (round-robin over its accounts, one call at a time, so an account's nonces arrive in
order), unpaced or, with --rate R, paced so that all submitters together offer R tx/s; a paced
transaction's latency counts from the time its call was due. Commits are timestamped from a
WatchCommits stream on the first node; latency is submit -> commit event.

Prints and writes to --json: committed_tps (transactions in blocks committed inside the window /
T), applied_tps, p50/p95/p99 commit latency (ms), CPU seconds per lotchaind process in the window,
the limit probe (Ed25519 verifications per CPU second on each core, libsodium via PyNaCl, one pinned
process per core, all at once), ceiling_tps = the sum over cores of verify/s / validators (cores x
verify/s when the cores are equal), and ratio = committed_tps / ceiling_tps.

Run with Debian's /usr/bin/python3 (python3-grpcio, python3-nacl, python3-protobuf), normally via
the build tree's wrapper: build/tests/bench/lotchain-bench --seconds 20 --json out.json
"""
import argparse
import hashlib
import json
import os
import sys
import subprocess
import tempfile
import threading
import time
import urllib.request

import grpc
import nacl.bindings
import nacl.signing

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(REPO, "tests", "cluster"))
import lotnet  # noqa: E402

ALL_ROLES = ["miner", "refiner", "precursor_maker", "cathode_maker", "cell_maker", "oem",
             "recycler", "collector", "second_life", "auditor"]


def log(*args):
    print("[lotchain-bench %s]" % time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def verify_probe(seconds):
    """Ed25519 verifications per second on this (one) thread: libsodium through PyNaCl."""
    key = nacl.signing.SigningKey(hashlib.sha256(b"probe").digest())
    message = b"lotchain/tx/v1\x00probe\x00" + bytes(range(200))
    signed = key.sign(message)
    public_key = bytes(key.verify_key)
    sm = bytes(signed)
    crypto_sign_open = nacl.bindings.crypto_sign_open
    count = 0
    start = time.perf_counter()
    cpu0 = time.process_time()
    while True:
        for _ in range(200):
            crypto_sign_open(sm, public_key)
        count += 200
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    cpu = time.process_time() - cpu0
    # Per CPU second as well: on a shared machine wall time includes time we were preempted.
    return count / elapsed, count / cpu if cpu > 0 else 0.0


def verify_probe_per_core(seconds):
    """The probe on every core at once, one process pinned to each: [(cpu, per_s, per_cpu_s)].

    The cores of a virtual machine need not be equal: on these machines one vCPU has verified
    30 % slower than the other for minutes at a time. A single unpinned probe measured whichever
    core it landed on; the machine's limit is the sum over its cores."""
    cpus = sorted(os.sched_getaffinity(0))
    children = []
    try:
        for cpu in cpus:  # each child pins itself (--probe-cpu), then probes
            children.append((cpu, subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "--probe-child", str(seconds),
                 "--probe-cpu", str(cpu)], stdout=subprocess.PIPE, text=True)))
        out = []
        for cpu, child in children:
            text, _ = child.communicate(timeout=seconds + 60)
            if child.returncode != 0:
                raise SystemExit("verify probe on cpu %d failed (exit %d)"
                                 % (cpu, child.returncode))
            per_s, per_cpu_s = json.loads(text)
            out.append((cpu, per_s, per_cpu_s))
        return out
    finally:
        for _, child in children:
            if child.poll() is None:
                child.kill()
                child.wait()


def proc_cpu_seconds(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # fields[0] is field 3 (state); utime/stime are fields 14/15.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def signature_checks(http_address):
    """A node's lotchain_tx_signature_checks_total summed over paths, or None if unreachable."""
    try:
        with urllib.request.urlopen("http://%s/metrics" % http_address, timeout=2) as r:
            text = r.read().decode()
    except OSError:
        return None
    try:
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith("lotchain_tx_signature_checks_total"))
    except (IndexError, ValueError):
        return None


def percentile(sorted_values, p):
    """Linear interpolation between closest ranks; None for no values. Rounded to 0.1 ms."""
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return round(sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo), 1)


class Account:
    def __init__(self, index, key, chain_id, pb):
        self.index = index
        self.key = key
        self.public_key = bytes(key.verify_key)
        self.chain_id = chain_id
        self.pb = pb
        self.nonce = int(time.time() * 1000)

    def sign(self, body):
        body.chain_id = self.chain_id
        self.nonce += 1
        body.nonce = self.nonce
        body_bytes = body.SerializeToString()
        payload = b"lotchain/tx/v1\x00" + self.chain_id.encode() + b"\x00" + body_bytes
        signature = self.key.sign(payload).signature
        return self.pb["tx"].SignedTx(body=body_bytes, signer=self.public_key,
                                      signature=signature).SerializeToString()


class CommitWatcher(threading.Thread):
    """Timestamps every committed transaction from a WatchCommits stream (reconnects on error)."""

    def __init__(self, address, pb, from_height):
        super().__init__(daemon=True)
        self.channel = grpc.insecure_channel(
            address, options=[("grpc.max_receive_message_length", 64 << 20)])
        api = pb["api"]
        self.watch = self.channel.unary_stream(
            "/lotchain.v1.Ledger/WatchCommits",
            request_serializer=api.WatchCommitsRequest.SerializeToString,
            response_deserializer=api.CommitEvent.FromString)
        self.api = api
        self.next_height = from_height
        self.commits = {}  # tx hash -> (commit time, code)
        self.blocks = []   # (time, height, tx count)
        self.stopping = False
        self.errors = 0
        self.call = None

    def run(self):
        while not self.stopping:
            try:
                self.call = self.watch(self.api.WatchCommitsRequest(from_height=self.next_height))
                for event in self.call:
                    now = time.perf_counter()
                    for r in event.results:
                        self.commits[r.tx_hash] = (now, r.code)
                    self.blocks.append((now, event.height, len(event.results)))
                    self.next_height = event.height + 1
            except grpc.RpcError:
                if self.stopping:
                    return
                self.errors += 1
                time.sleep(0.05)

    def stop(self):
        self.stopping = True
        if self.call is not None:
            self.call.cancel()
        self.channel.close()


class Submitter(threading.Thread):
    """Submits its accounts' transactions until the deadline, in one of two modes.

    batch == 1: rounds of one SubmitTx per owned account, all in flight at once (as fast as the
    node admits them). batch > 1: SubmitTxBatch calls of `batch` transactions taken round-robin
    from the owned accounts, one call at a time, so every account's nonces arrive in order; with
    rate > 0 the calls are paced to `rate` tx/s and each transaction's latency counts from the
    time its call was due (so a slow node cannot hide queueing by delaying our sends)."""

    def __init__(self, index, address, pb, queues, batch, rate):
        super().__init__(daemon=True)
        self.index = index
        self.channel = grpc.insecure_channel(
            address, options=[("grpc.max_send_message_length", 8 << 20)])
        api = pb["api"]
        self.submit = self.channel.unary_unary(
            "/lotchain.v1.Ledger/SubmitTx", request_serializer=api.SubmitTxRequest.SerializeToString,
            response_deserializer=api.TxStatus.FromString)
        self.submit_batch = self.channel.unary_unary(
            "/lotchain.v1.Ledger/SubmitTxBatch",
            request_serializer=api.SubmitTxBatchRequest.SerializeToString,
            response_deserializer=api.SubmitTxBatchResponse.FromString)
        self.api = api
        self.queues = queues  # per account: list of (hash, signed bytes), nonce order
        self.batch = batch
        self.rate = rate      # tx/s for this submitter; 0 = unpaced
        self.submitted = {}   # hash -> submit time
        self.errors = {}      # gRPC code name -> count
        self.exhausted = False
        self.start_time = None
        self.deadline = None

    def error(self, name):
        self.errors[name] = self.errors.get(name, 0) + 1

    def run(self):
        if self.batch > 1:
            return self.run_batches()
        pos = 0
        request = self.api.SubmitTxRequest
        while time.perf_counter() < self.deadline:
            batch = [q[pos] for q in self.queues if pos < len(q)]
            if not batch:
                self.exhausted = True
                return
            pos += 1
            futures = []
            for tx_hash, tx in batch:
                self.submitted[tx_hash] = time.perf_counter()
                futures.append((tx_hash, self.submit.future(request(signed_tx=tx), timeout=30)))
            for tx_hash, f in futures:
                try:
                    f.result()
                except grpc.RpcError as e:
                    self.error(e.code().name if e.code() else "UNKNOWN")
                    del self.submitted[tx_hash]

    def interleaved(self):
        """Round-robin over the owned accounts: each account's transactions in nonce order."""
        longest = max((len(q) for q in self.queues), default=0)
        for pos in range(longest):
            for q in self.queues:
                if pos < len(q):
                    yield q[pos]

    def run_batches(self):
        request = self.api.SubmitTxBatchRequest
        txs = self.interleaved()
        sent = 0
        while True:
            now = time.perf_counter()
            due = self.start_time + sent / self.rate if self.rate > 0 else now
            if due >= self.deadline or now >= self.deadline:
                return
            if due > now:
                time.sleep(due - now)
            chunk = []
            for item in txs:
                chunk.append(item)
                if len(chunk) == self.batch:
                    break
            if not chunk:
                self.exhausted = True
                return
            stamp = due if self.rate > 0 else time.perf_counter()
            for tx_hash, _ in chunk:
                self.submitted[tx_hash] = stamp
            sent += len(chunk)
            try:
                response = self.submit_batch(request(signed_txs=[tx for _, tx in chunk]),
                                             timeout=30)
            except grpc.RpcError as e:
                for tx_hash, _ in chunk:
                    self.error(e.code().name if e.code() else "UNKNOWN")
                    del self.submitted[tx_hash]
                continue
            for (tx_hash, _), result in zip(chunk, response.results):
                if result.error_code:
                    self.error(result.error_code)
                    del self.submitted[tx_hash]

    def close(self):
        self.channel.close()


def wait_connected(net, timeout):
    """Until every node reports all other validators as peers (empty blocks are not proposed)."""
    deadline = time.time() + timeout
    while True:
        peers = [getattr(net.status(i), "peers", -1) for i in range(net.n)]
        if all(p >= net.n - 1 for p in peers):
            return
        if time.time() > deadline:
            raise SystemExit("validators not connected after %ds: peers %s" % (timeout, peers))
        time.sleep(0.2)


def machine_info():
    model = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu_model": model, "loadavg": list(os.getloadavg())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20, help="timed window T (default 20)")
    ap.add_argument("--json", help="write the results to this file")
    ap.add_argument("--accounts", type=int, default=256, help="K signing accounts (default 256)")
    ap.add_argument("--submitters", type=int, default=8, help="M submitter threads (default 8)")
    ap.add_argument("--batch", type=int, default=1,
                    help="transactions per SubmitTxBatch call (default 1: unary SubmitTx calls)")
    ap.add_argument("--rate", type=float, default=0,
                    help="with --batch > 1: offered load in tx/s over all submitters "
                         "(default 0: as fast as admitted)")
    ap.add_argument("--rate-of-ceiling", type=float, default=0,
                    help="with --batch > 1: offer this fraction of the ceiling the probe just "
                         "measured (e.g. 0.52), instead of a fixed --rate; on a VM whose cores "
                         "change speed from minute to minute this keeps load and limit together")
    ap.add_argument("--max-tps", type=float, default=5000,
                    help="pre-sign T x this many transactions (default 5000/s)")
    ap.add_argument("--node", help="submit to this node (HOST:PORT) instead of a local network")
    ap.add_argument("--member-key", action="append", default=[],
                    help="with --node: a genesis member's key file {public_key, seed}; repeat")
    ap.add_argument("--node-pid", type=int, action="append", default=[],
                    help="with --node: lotchaind PIDs on this machine to measure CPU of")
    ap.add_argument("--validators", type=int, default=4, help="local network size (default 4)")
    ap.add_argument("--block-delay-ms", type=int, default=20,
                    help="local network's block_delay_ms (default 20, the node default)")
    ap.add_argument("--probe-seconds", type=float, default=3, help="verify probe duration")
    ap.add_argument("--drain-seconds", type=float, default=15,
                    help="after the window, wait this long for submitted txs to commit")
    ap.add_argument("--keep", action="store_true", help="keep the local network's directory")
    ap.add_argument("--probe-child", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--probe-cpu", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.probe_child is not None:  # one core's share of verify_probe_per_core
        os.sched_setaffinity(0, {args.probe_cpu})
        print(json.dumps(verify_probe(args.probe_child)))
        return 0
    if args.batch < 1 or args.batch > 1000:
        ap.error("--batch must be between 1 and 1000 (the node's SubmitTxBatch limit)")
    if args.rate_of_ceiling and args.rate:
        ap.error("give --rate or --rate-of-ceiling, not both")
    if args.rate_of_ceiling < 0 or args.rate_of_ceiling > 1 or (
            args.rate_of_ceiling and args.batch == 1):
        ap.error("--rate-of-ceiling needs --batch > 1 and a fraction between 0 and 1")
    if args.rate < 0 or (args.rate > 0 and args.batch == 1):
        ap.error("--rate needs --batch > 1 and a positive rate")
    if args.rate > args.max_tps:
        ap.error("--rate %.0f exceeds --max-tps %.0f (not enough pre-signed transactions)"
                 % (args.rate, args.max_tps))

    info = machine_info()
    log("machine: %d cores, %s, load average %s" % (info["nproc"], info["cpu_model"],
                                                     info["loadavg"]))
    log("limit probe: Ed25519 verify for %.0f s on every core at once, one pinned process each"
        % args.probe_seconds)
    per_core = verify_probe_per_core(args.probe_seconds)
    verify_per_core = [per_cpu_s for _, _, per_cpu_s in per_core]
    verify_per_s = sum(per_s for _, per_s, _ in per_core) / len(per_core)
    verify_per_cpu_s = sum(verify_per_core) / len(per_core)
    log("verify per CPU second: %s (cpus %s); mean %.0f per CPU second, %.0f/s wall"
        % (["%.0f" % v for v in verify_per_core], [cpu for cpu, _, _ in per_core],
           verify_per_cpu_s, verify_per_s))

    net = None
    workdir = tempfile.mkdtemp(prefix="lotchain-bench-")
    try:
        if args.node:
            if not args.member_key:
                raise SystemExit("--node needs at least one --member-key (an account to sign with)")
            pb = lotnet.load_protos(workdir)
            client = lotnet.Ledger(args.node, pb)
            chain_id = client.status(timeout=5).chain_id
            keys = []
            for path in args.member_key:
                with open(path) as f:
                    keys.append(nacl.signing.SigningKey(bytes.fromhex(json.load(f)["seed"])))
            addresses = [args.node]
            watch_address = args.node
            pids = list(args.node_pid)
            validators = len(client.status(timeout=5).validators) or args.validators
            client.close()
        else:
            keys = [nacl.signing.SigningKey.generate() for _ in range(args.accounts)]
            members = [{"org_id": "bench-%d" % i, "name": "Benchmark account %d" % i,
                        "roles": ALL_ROLES, "public_keys": [bytes(k.verify_key).hex()]}
                       for i, k in enumerate(keys)]
            members_file = os.path.join(workdir, "members.json")
            with open(members_file, "w") as f:
                json.dump(members, f)
            net = lotnet.Net(args.validators, name="bench", members_file=members_file,
                             block_delay_ms=args.block_delay_ms, keep=args.keep)
            pb = net.pb
            chain_id = net.chain_id
            log("starting %d validators (%s) in %s" % (args.validators, net.lotchaind, net.dir))
            net.start_all()
            net.wait_ready(timeout=60)
            wait_connected(net, timeout=60)
            addresses = [node["grpc"] for node in net.testnet["nodes"]]
            watch_address = addresses[0]
            pids = [p.pid for p in net.procs]
            validators = args.validators

        if args.rate_of_ceiling:
            args.rate = max(1, round(args.rate_of_ceiling * sum(verify_per_core) / validators))
            # Headroom: paced submitters catch up after a slow call and must not run dry.
            args.max_tps = max(args.max_tps, 1.1 * args.rate)
            log("offering %.2f of the ceiling: %.0f tx/s" % (args.rate_of_ceiling, args.rate))
        k = len(keys)
        m = max(1, min(args.submitters, k))
        accounts = [Account(i, key, chain_id, pb) for i, key in enumerate(keys)]
        total = int(args.seconds * args.max_tps)
        per_account = max(1, (total + k - 1) // k)
        log("pre-signing %d RegisterFacility transactions (%d accounts x %d)"
            % (per_account * k, k, per_account))
        t_sign = time.perf_counter()
        run_tag = "%x" % int(time.time())
        queues = []
        for a in accounts:
            q = []
            for j in range(per_account):
                body = lotnet.register_facility(pb, "bench-%s-%d-%d" % (run_tag, a.index, j),
                                                pb["types"].FACILITY_KIND_MINE)
                tx = a.sign(body)
                q.append((hashlib.sha256(tx).digest(), tx))
            queues.append(q)
        sign_seconds = time.perf_counter() - t_sign
        log("signed in %.1f s (%.0f/s)" % (sign_seconds, per_account * k / sign_seconds))

        status_client = lotnet.Ledger(watch_address, pb)
        start_height = status_client.status(timeout=5).height
        watcher = CommitWatcher(watch_address, pb, start_height + 1)
        watcher.start()
        submitters = [Submitter(i, addresses[i % len(addresses)], pb,
                                [queues[a] for a in range(i, k, m)], args.batch, args.rate / m)
                      for i in range(m)]
        time.sleep(0.5)  # let the channels and the stream connect

        http_addresses = [node["http"] for node in net.testnet["nodes"]] if net else []
        checks_before = [signature_checks(a) for a in http_addresses]
        cpu_before = {pid: proc_cpu_seconds(pid) for pid in pids}
        self_cpu_before = time.process_time()
        load_before = os.getloadavg()
        t0 = time.perf_counter()
        t1 = t0 + args.seconds
        for s in submitters:
            s.start_time = t0
            s.deadline = t1
            s.start()
        log("submitting for %.0f s: %d accounts, %d submitters, %d node(s), %s, %s"
            % (args.seconds, k, m, len(addresses),
               "unary SubmitTx" if args.batch == 1 else "batches of %d" % args.batch,
               "offered %.0f tx/s" % args.rate if args.rate else "unpaced"))
        time.sleep(max(0.0, t1 - time.perf_counter()))
        cpu_after = {pid: proc_cpu_seconds(pid) for pid in pids}
        self_cpu = time.process_time() - self_cpu_before
        load_after = os.getloadavg()
        for s in submitters:
            s.join()
        t_submitted = time.perf_counter()

        submitted = {}
        errors = {}
        for s in submitters:
            submitted.update(s.submitted)
            for name, count in s.errors.items():
                errors[name] = errors.get(name, 0) + count
        # Drain: wait for what was submitted to commit (for latency), up to --drain-seconds.
        drain_deadline = time.perf_counter() + args.drain_seconds
        while time.perf_counter() < drain_deadline:
            if all(h in watcher.commits for h in submitted):
                break
            time.sleep(0.2)
        cpu_drained = {pid: proc_cpu_seconds(pid) for pid in pids}
        checks_after = [signature_checks(a) for a in http_addresses]
        end_height = status_client.status(timeout=5).height
        status_client.close()
        watcher.stop()

        commits = dict(watcher.commits)
        in_window = [h for h, (t, _) in commits.items() if t0 <= t <= t1 and h in submitted]
        applied_in_window = sum(1 for h in in_window if commits[h][1] == 0)
        latencies = sorted((commits[h][0] - submitted[h]) * 1000.0
                           for h in submitted if h in commits)
        committed_total = sum(1 for h in submitted if h in commits)
        rejected_total = sum(1 for h in submitted if h in commits and commits[h][1] != 0)
        blocks_in_window = [b for b in watcher.blocks if t0 <= b[0] <= t1]
        committed_tps = len(in_window) / args.seconds
        cores = len(verify_per_core)
        # The machine's capacity: the sum over its cores of each core's verifications per CPU
        # second (a core's wall-clock rate on a shared machine also counts the time the probe was
        # preempted; both are reported). With equal cores this is cores x one core's rate.
        ceiling = sum(verify_per_core) / validators
        node_cpu = []
        for pid in pids:
            before, after = cpu_before.get(pid), cpu_after.get(pid)
            node_cpu.append(None if before is None or after is None else round(after - before, 3))
        # Efficiency, robust to a shared machine: every node's CPU from the start of the window
        # until the drain ended, per transaction committed in that time.
        cpu_total = [None if cpu_before.get(pid) is None or cpu_drained.get(pid) is None
                     else cpu_drained[pid] - cpu_before[pid] for pid in pids]
        cpu_us_per_tx = ([round(c * 1e6 / committed_total, 1) if c is not None else None
                          for c in cpu_total] if committed_total else [])
        # Each node should verify each transaction once: 1.0 per committed tx; more means
        # repeated checks (e.g. a proposal that arrived before the gossip did).
        checks_per_tx = [round((a - b) / committed_total, 3)
                         if a is not None and b is not None and committed_total else None
                         for b, a in zip(checks_before, checks_after)]
        result = {
            "committed_tps": round(committed_tps, 1),
            "applied_tps": round(applied_in_window / args.seconds, 1),
            "submitted_tps": round(len(submitted) / max(t_submitted - t0, 1e-9), 1),
            "p50_ms": percentile(latencies, 50),
            "p95_ms": percentile(latencies, 95),
            "p99_ms": percentile(latencies, 99),
            "max_ms": round(latencies[-1], 1) if latencies else None,
            "ceiling_tps": round(ceiling, 1),
            "ratio": round(committed_tps / ceiling, 4) if ceiling else None,
            "verify_per_s_one_core": round(verify_per_s, 1),
            "verify_per_cpu_s": round(verify_per_cpu_s, 1),
            "verify_per_cpu_s_per_core": [round(v, 1) for v in verify_per_core],
            "cores": cores,
            "validators": validators,
            "node_cpu_seconds": node_cpu,
            "bench_cpu_seconds": round(self_cpu, 3),
            "node_cpu_us_per_committed_tx": cpu_us_per_tx,
            "signature_checks_per_committed_tx": checks_per_tx,
            "seconds": args.seconds,
            "accounts": k,
            "submitters": m,
            "batch": args.batch,
            "offered_tps": args.rate or None,
            "rate_of_ceiling": args.rate_of_ceiling or None,
            "block_delay_ms": None if args.node else args.block_delay_ms,
            "submitted": len(submitted),
            "submit_errors": errors,
            "committed": committed_total,
            "rejected": rejected_total,
            "uncommitted_after_drain": len(submitted) - committed_total,
            "presigned": per_account * k,
            "presign_exhausted": any(s.exhausted for s in submitters),
            "blocks_in_window": len(blocks_in_window),
            "txs_per_block_mean": (round(sum(b[2] for b in blocks_in_window) /
                                         len(blocks_in_window), 1) if blocks_in_window else 0),
            "heights": [start_height, end_height],
            "watch_reconnects": watcher.errors,
            "machine": dict(info, loadavg_before=list(load_before), loadavg_after=list(load_after)),
            "target": args.node or "local %d-validator network" % validators,
        }
        for s in submitters:
            s.close()

        def fmt(v):
            return "n/a" if v is None else "%.1f" % v
        print("committed_tps %.1f (applied %.1f, submitted %.1f/s)  latency p50 %s p95 %s p99 %s ms"
              % (committed_tps, result["applied_tps"], result["submitted_tps"],
                 fmt(result["p50_ms"]), fmt(result["p95_ms"]), fmt(result["p99_ms"])))
        print("verify per CPU second on each core %s (mean %.0f, %.0f/s wall); ceiling (%s) / %d "
              "validators = %.0f tx/s; ratio %.3f"
              % (["%.0f" % v for v in verify_per_core], verify_per_cpu_s, verify_per_s,
                 " + ".join("%.0f" % v for v in verify_per_core), validators, ceiling,
                 result["ratio"] or 0))
        print("cpu seconds per node in %.0f s: %s; bench itself %.1f; blocks %d (%.1f tx/block); "
              "submit errors %s; rejected %d; uncommitted %d"
              % (args.seconds, node_cpu, self_cpu, len(blocks_in_window),
                 result["txs_per_block_mean"], errors or "none", rejected_total,
                 result["uncommitted_after_drain"]))
        print("node CPU per committed tx (window + drain): %s us" % cpu_us_per_tx)
        if checks_per_tx:
            print("signature checks per committed tx (window + drain): %s" % checks_per_tx)
        if result["presign_exhausted"]:
            print("warning: the pre-signed transactions ran out before the window ended; "
                  "raise --max-tps")
        if args.json:
            with open(args.json, "w") as f:
                json.dump(result, f, indent=2)
                f.write("\n")
        return 0
    finally:
        if net is not None:
            net.close()
        import shutil
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
