"""lotchaind refuses to start on a genesis that does not match its store, on a corrupt store and
on a bad config, with a message saying so (exit code 2) — and starts again once fixed."""
import json
import os
import shutil
import subprocess

import lotnet


def start_and_expect_refusal(net, i, needle):
    p = subprocess.run([net.lotchaind, "start", "--home", net.home(i)], capture_output=True,
                       text=True, timeout=60)
    lotnet.check(p.returncode == 2, "expected exit 2, got %d: %s" % (p.returncode, p.stderr[-800:]))
    lotnet.check(needle in p.stderr, "message lacks %r: %s" % (needle, p.stderr[-800:]))
    return p.stderr


def main():
    net = lotnet.Net(1, "badstore")
    try:
        net.start(0)
        net.wait_ready([0])
        pb = net.pb
        dev = net.dev_member()
        r = net.register_mine(dev)
        lotnet.check(net.stop(0) == 0, "clean stop")
        home = net.home(0)
        genesis = os.path.join(home, "genesis.json")
        original = open(genesis, "rb").read()
        # 1. A different genesis (one field changed; whitespace alone would be the same chain,
        # docs/FORMAT.md "Genesis hash").
        doc = json.loads(original)
        doc["genesis_time_unix_ms"] += 1
        with open(genesis, "w") as f:
            json.dump(doc, f)
        start_and_expect_refusal(net, 0, "GENESIS_MISMATCH")
        with open(genesis, "wb") as f:
            f.write(original)
        # 2. A corrupt store.
        data = os.path.join(home, "data")
        backup = os.path.join(net.dir, "data-backup")
        shutil.copytree(data, backup)
        with open(os.path.join(data, "CURRENT"), "wb") as f:
            f.write(b"garbage\n")
        start_and_expect_refusal(net, 0, "STORE_CORRUPT")
        shutil.rmtree(data)
        shutil.copytree(backup, data)
        # 3. A bad config value names the key.
        config = os.path.join(home, "config.toml")
        text = open(config).read()
        with open(config, "w") as f:
            f.write(text.replace('format = "human"', 'format = "xml"'))
        start_and_expect_refusal(net, 0, "log.format")
        with open(config, "w") as f:
            f.write(text)
        # Fixed: it starts and still has the committed transaction.
        net.start(0)
        net.wait_ready([0])
        st = net.clients[0].GetTxStatus(pb["api"].GetTxStatusRequest(tx_hash=r.tx_hash))
        lotnet.check(st.status == pb["api"].TX_STATUS_APPLIED, "tx lost: %s" % st)
        print("ok: refused genesis mismatch, corrupt store and bad config; restarted intact")
    finally:
        net.close()


if __name__ == "__main__":
    main()
