"""`lotchaind testnet --hosts`: four validators on four addresses (127.0.0.2-5, routed on lo as
if four machines) find each other through their configs' [p2p] peers alone — the genesis holds
no address — and commit. Bad host lists are refused with the entry named."""
import json
import os
import subprocess
import tempfile
import shutil

import lotnet

HOSTS = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]


def refused(lotchaind, args, needle):
    out = tempfile.mkdtemp(prefix="lotchain-hosts-bad-")
    try:
        p = subprocess.run([lotchaind, "testnet", "--out", os.path.join(out, "net")] + args,
                           capture_output=True, text=True, timeout=30)
        lotnet.check(p.returncode == 1, "expected exit 1 for %s: %s" % (args, p.stderr))
        lotnet.check(needle in p.stderr, "message lacks %r: %s" % (needle, p.stderr))
        lotnet.check(not os.path.exists(os.path.join(out, "net", "genesis.json")),
                     "a refused testnet wrote a genesis")
    finally:
        shutil.rmtree(out, ignore_errors=True)


def check_homes(net):
    genesis = json.load(open(os.path.join(net.dir, "net", "genesis.json")))
    lotnet.check(all("address" not in v for v in genesis["validators"]),
                 "--hosts genesis carries addresses: %s" % genesis["validators"])
    for i, host in enumerate(HOSTS):
        config = open(os.path.join(net.home(i), "config.toml")).read()
        lotnet.check('listen = "%s:%d"' % (host, net.base_port + i) in config,
                     "node%d p2p listen:\n%s" % (i, config))
        for j, other in enumerate(HOSTS):
            entry = '"v%d@%s:%d"' % (j, other, net.base_port + j)
            lotnet.check((entry in config) == (i != j), "node%d peers vs %s" % (i, entry))


def main():
    lotchaind = os.environ.get("LOTCHAIND") or os.path.join(lotnet.REPO, "build/node/app/lotchaind")
    refused(lotchaind, ["--hosts", "127.0.0.2,bad_host!,127.0.0.4"], 'host 2 "bad_host!"')
    refused(lotchaind, ["--hosts", "10.0.0.1:26600"], "no port: ports come from --base-port")
    refused(lotchaind, ["--hosts", "a.example,b.example", "--validators", "4"],
            "2 hosts for 4 validators")
    hosts_file = tempfile.NamedTemporaryFile("w", suffix=".hosts", delete=False)
    hosts_file.write("# consortium hosts\n\nnode-a.example.org\n  -bad.example  # bad label\n")
    hosts_file.close()
    refused(lotchaind, ["--hosts-file", hosts_file.name], 'host 2 "-bad.example"')
    os.unlink(hosts_file.name)

    net = lotnet.Net(4, "hosts", hosts=HOSTS)
    try:
        check_homes(net)
        net.start_all()
        net.wait_ready()
        lotnet.check([c.address for c in net.clients] ==
                     ["%s:%d" % (h, net.base_port + 100 + i) for i, h in enumerate(HOSTS)],
                     "clients dial the hosts' gRPC addresses")
        r = net.register_mine(net.dev_member(), node=3)
        hs = net.wait_height(r.height, timeout=60)
        print("ok: 4 validators on %s via [p2p] peers (no address in genesis) committed at "
              "height %d; heights %s; bad hosts refused" % (",".join(HOSTS), r.height, hs))
    finally:
        net.close()


if __name__ == "__main__":
    main()
