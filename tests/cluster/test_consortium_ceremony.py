"""The three-company ceremony of docs/OPERATIONS.md, end to end with real processes.

Three companies each make their own keys in their own folders (a member signing key and the node
keys of the validators they run: `lotchaind init`); only public keys leave a folder. One of them
assembles the genesis with `lotchaind genesis new / add-member / add-validator`, every company
checks it with `genesis verify` and compares the hash, installs it with `lotchaind init
--genesis`, and the four validators (cobalt-co runs two) commit a transaction.

Each validator listens on its own loopback address (127.0.0.2..5, which Linux routes on lo, as
if on four hosts). Addresses reach the nodes only through each config's [p2p] peers: two genesis
validators carry a wrong address hint (nothing listens there) and two none at all, so the
network commits only if configs override and supply addresses, and the genesis hash must be the
one of the same file without any address. A node missing an address for a validator refuses to
start and names it.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import nacl.signing

import lotnet

COMPANIES = [  # org id, display name, roles, validators it runs
    ("cobalt-co", "Cobalt Mining Co", "miner,refiner", ["v0", "v3"]),
    ("cell-co", "Cell Makers Ltd", "cathode_maker,cell_maker", ["v1"]),
    ("car-co", "Car Maker AG", "oem,recycler", ["v2"]),
]


def run(cmd, expect=0):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    lotnet.check(p.returncode == expect, "%s: exit %d, expected %d\n%s%s"
                 % (" ".join(cmd[1:3]), p.returncode, expect, p.stdout, p.stderr))
    return p.stdout + p.stderr


def field(text, prefix):
    for line in text.splitlines():
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    raise AssertionError("no %r in:\n%s" % (prefix, text))


class Ceremony:
    def __init__(self, net_dir, lotchaind, base):
        self.dir, self.bin, self.base = net_dir, lotchaind, base
        self.ip = {"v%d" % i: "127.0.0.%d" % (2 + i) for i in range(4)}
        self.home, self.node_pub, self.member_pub, self.member_key = {}, {}, {}, {}

    def p2p(self, v):
        return "%s:%d" % (self.ip[v], self.base + int(v[1:]))

    def grpc(self, v):
        return "%s:%d" % (self.ip[v], self.base + 100 + int(v[1:]))

    def company_makes_keys(self, org, validators):
        """In the company's own folder: a member key (stays there) and its validators' homes."""
        folder = os.path.join(self.dir, org)
        os.makedirs(folder)
        key = nacl.signing.SigningKey.generate()
        self.member_key[org] = key
        self.member_pub[org] = bytes(key.verify_key).hex()
        for v in validators:
            i = int(v[1:])
            home = os.path.join(folder, v)
            peers = sum((["--peer", "%s@%s" % (w, self.p2p(w))] for w in self.ip if w != v), [])
            out = run([self.bin, "init", "--home", home, "--moniker", v,
                       "--p2p-listen", self.p2p(v), "--grpc-listen", self.grpc(v),
                       "--http-listen", "%s:%d" % (self.ip[v], self.base + 200 + i)] + peers)
            self.home[v] = home
            self.node_pub[v] = field(out, "validator public key:")

    def assemble(self, path):
        """What the assembling company runs, from the public keys the others sent it."""
        run([self.bin, "genesis", "new", path, "--chain-id", "three-companies-test"])
        for org, name, roles, _ in COMPANIES:
            run([self.bin, "genesis", "add-member", path, "--org", org, "--name", name,
                 "--roles", roles, "--key", self.member_pub[org]])
        for org, _, _, validators in COMPANIES:
            for v in validators:
                cmd = [self.bin, "genesis", "add-validator", path, "--id", v,
                       "--key", self.node_pub[v], "--operator", org]
                if v in ("v0", "v1"):  # a stale hint: nothing listens there
                    cmd += ["--address", "127.0.0.1:%d" % (self.base + 50 + int(v[1:]))]
                run(cmd)


def check_ceremony_errors(c, path):
    """Mistakes are refused with the field named, and the draft stays as it was."""
    before = open(path).read()
    out = run([c.bin, "genesis", "add-member", path, "--org", "cell-co", "--name", "x",
               "--roles", "oem", "--key", "11" * 32], expect=1)
    lotnet.check("duplicate organisation id" in out, out)
    out = run([c.bin, "genesis", "add-validator", path, "--id", "v9", "--key", "22" * 32,
               "--operator", "nobody"], expect=1)
    lotnet.check("is not a member's org_id" in out, out)
    out = run([c.bin, "genesis", "add-member", path, "--org", "x-co", "--name", "x",
               "--roles", "minner", "--key", "33" * 32], expect=1)
    lotnet.check("unknown role" in out, out)
    lotnet.check(open(path).read() == before, "a refused edit changed the draft")


def check_peer_entries_checked(c):
    """Bad [p2p] peers entries are refused, on the command line and in config.toml."""
    home = os.path.join(c.dir, "bad-peers")
    out = run([c.bin, "init", "--home", home, "--peer", "v1-10.0.0.1:26600"], expect=1)
    lotnet.check("not VALIDATOR_ID@HOST:PORT (no @)" in out, out)
    out = run([c.bin, "init", "--home", home, "--peer", "v1@10.0.0.1:http"], expect=1)
    lotnet.check("after the @ comes HOST:PORT" in out, out)
    run([c.bin, "init", "--home", home])
    config = os.path.join(home, "config.toml")
    text = open(config).read()
    for bad, needle in (('peers = "v1@a:1"', "p2p.peers must be an array"),
                        ('peers = ["v1@a:1", "v1@b:2"]', "p2p.peers[1]: v1 listed twice"),
                        ('peers = ["v 1@a:1"]', "p2p.peers[0]")):
        open(config, "w").write(re.sub(r"peers = \[\]", bad, text))
        out = run([c.bin, "start", "--home", home], expect=2)
        lotnet.check("BAD_CONFIG" in out and needle in out, "%s: %s" % (bad, out))


def check_hash_ignores_addresses(c, path, hash_hex):
    doc = json.load(open(path))
    for v in doc["validators"]:
        v.pop("address", None)
    stripped = os.path.join(c.dir, "no-addresses.json")
    json.dump(doc, open(stripped, "w"))
    lotnet.check(run([c.bin, "genesis", "hash", stripped]).strip() == hash_hex,
                 "removing the address hints changed the genesis hash")


def check_missing_address_refused(c):
    """v3's config without v2's peer entry (the genesis has no address for v2): refused."""
    config = os.path.join(c.home["v3"], "config.toml")
    text = open(config).read()
    entry = '"v2@%s",' % c.p2p("v2")
    lotnet.check(entry in text, "config lacks %s:\n%s" % (entry, text))
    open(config, "w").write(text.replace(entry, ""))
    out = run([c.bin, "start", "--home", c.home["v3"]], expect=2)
    lotnet.check("no address for validator(s) v2" in out, out)
    open(config, "w").write(text)


def main():
    lotchaind = os.environ.get("LOTCHAIND") or os.path.join(lotnet.REPO, "build/node/app/lotchaind")
    base, lock = lotnet.reserve_base_port()
    net_dir = tempfile.mkdtemp(prefix="lotchain-ceremony-")
    pb = lotnet.load_protos(net_dir)
    procs, clients = {}, []
    c = Ceremony(net_dir, lotchaind, base)
    try:
        for org, _, _, validators in COMPANIES:
            c.company_makes_keys(org, validators)
        draft = os.path.join(net_dir, "cobalt-co", "genesis.json")
        c.assemble(draft)
        check_ceremony_errors(c, draft)
        check_peer_entries_checked(c)
        hashes = set()
        for org, _, _, validators in COMPANIES:  # each receives the file and checks it
            copy = os.path.join(net_dir, org, "received-genesis.json")
            open(copy, "w").write(open(draft).read())
            out = run([lotchaind, "genesis", "verify", copy])
            hashes.add(field(out, "hash:"))
            for v in validators:
                out = run([lotchaind, "init", "--home", c.home[v], "--genesis", copy])
                lotnet.check("this node is validator %s" % v in out, out)
        lotnet.check(len(hashes) == 1, "companies see different hashes: %s" % hashes)
        hash_hex = hashes.pop()
        check_hash_ignores_addresses(c, draft, hash_hex)
        check_missing_address_refused(c)
        for v, home in sorted(c.home.items()):
            log = open(os.path.join(net_dir, v + ".log"), "ab")
            procs[v] = subprocess.Popen([lotchaind, "start", "--home", home], stdout=log,
                                        stderr=log, start_new_session=True)
        clients = [lotnet.Ledger(c.grpc(v), pb) for v in sorted(c.home)]
        member = lotnet.Member.__new__(lotnet.Member)
        member.key, member.public_key = c.member_key["cobalt-co"], bytes.fromhex(
            c.member_pub["cobalt-co"])
        member.chain_id, member.pb, member.nonce = "three-companies-test", pb, 1
        status = None
        for client in clients:
            for _ in range(300):
                try:
                    status = client.status(timeout=2)
                    break
                except Exception:  # noqa: BLE001 - not serving yet
                    time.sleep(0.1)
            lotnet.check(status is not None, "%s not serving" % client.address)
            lotnet.check(status.genesis_hash.hex() == hash_hex, "node's genesis hash")
        r = clients[2].submit(member.sign(lotnet.register_facility(
            pb, "mine-1", pb["types"].FACILITY_KIND_MINE)), wait=True, timeout=60)
        lotnet.check(r.status == pb["api"].TX_STATUS_APPLIED, "not applied: %s" % r)
        heights = [cl.status().height for cl in clients]
        for cl in clients:
            st = cl.GetTxStatus(pb["api"].GetTxStatusRequest(tx_hash=r.tx_hash), timeout=30)
            lotnet.check(st.status == pb["api"].TX_STATUS_APPLIED, "%s lacks the tx" % cl.address)
        print("ok: genesis from public keys only (hash %s…), 4 validators on 127.0.0.2-5 via "
              "[p2p] peers (2 stale hints, 2 absent), tx applied at height %d; heights %s"
              % (hash_hex[:16], r.height, heights))
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
                p.wait(timeout=10)
        for cl in clients:
            cl.close()
        lock.close()
        if os.environ.get("LOTCHAIN_KEEP_TEST_DIRS") != "1":
            shutil.rmtree(net_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
