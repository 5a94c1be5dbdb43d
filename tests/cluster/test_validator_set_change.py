"""Validator-set changes by governance with real processes (docs/GOVERNANCE.md): a new member's
node joins a chain of some 150 blocks as an observer (`lotchaind init --genesis`), catches up
(the time is printed), serves queries and relays a transaction; it is voted in as the 5th
validator and the network keeps committing with it (shown by killing an original validator:
the quorum of 4 of 5 then needs the new one); then an original validator is voted out and
stopped, and commits continue with the 4 left (again needing the new one). All nodes that run
agree on height and state root throughout."""
import os
import re
import subprocess
import time

import lotnet


def propose(net, member, proposal_id, change_field, change, node=1):
    pb = net.pb
    body = pb["tx"].TxBody()
    body.propose_change.proposal_id = proposal_id
    getattr(body.propose_change.change, change_field).CopyFrom(change)
    r = net.clients[node].submit(member.sign(body), wait=True, timeout=60)
    lotnet.check(r.status == pb["api"].TX_STATUS_APPLIED, "proposal %s: %s" % (proposal_id, r))
    return r.height


def new_node_home(net, index):
    """`lotchaind init --genesis` for a node outside the genesis set, on this slot's ports."""
    home = os.path.join(net.dir, "node%d-home" % index)
    genesis = os.path.join(net.home(0), "genesis.json")
    out = subprocess.run([net.lotchaind, "init", "--home", home, "--genesis", genesis,
                          "--moniker", "v%d" % index], check=True, capture_output=True, text=True)
    key = re.search(r"validator public key: ([0-9a-f]{64})", out.stdout).group(1)
    path = os.path.join(home, "config.toml")
    with open(path) as f:
        text = f.read()
    # [p2p], [rpc] and [http] each have `listen = "HOST:PORT"` (the defaults 26600/700/800).
    for section, offset in (("p2p", 0), ("rpc", 100), ("http", 200)):
        text = re.sub(r'(\[%s\][^\[]*?listen = )"[^"]*"' % section,
                      r'\1"127.0.0.1:%d"' % (net.base_port + offset + index), text)
    with open(path, "w") as f:
        f.write(text)
    return home, bytes.fromhex(key)


def agree(net, nodes, timeout=60):
    """Waits until every node in `nodes` reports the same height and state root."""
    deadline = time.time() + timeout
    while True:
        s = [net.status(i) for i in nodes]
        if all(x is not None for x in s) and len({(x.height, x.state_root) for x in s}) == 1:
            return s[0].height
        if time.time() > deadline:
            raise AssertionError("no agreement: %s" % [(x.height if x else None) for x in s])
        time.sleep(0.2)


def commit_some(net, member, node, prefix, count=3):
    pb = net.pb
    for k in range(count):
        body = lotnet.register_facility(pb, "%s-%d" % (prefix, k), pb["types"].FACILITY_KIND_MINE)
        r = net.clients[node].submit(member.sign(body), wait=True, timeout=60)
        lotnet.check(r.status == pb["api"].TX_STATUS_APPLIED, "%s-%d: %s" % (prefix, k, r))


def main():
    net = lotnet.Net(4, "valset")
    try:
        net.start_all()
        net.wait_ready()
        pb = net.pb
        dev = net.dev_member()  # operates every genesis validator (lotchaind testnet)
        net.register_mine(dev)
        commit_some(net, dev, 0, "history", count=150)  # one block each
        chain_height = agree(net, range(4))

        # A new member's node: its own home and key, outside the genesis set: an observer.
        home, key = new_node_home(net, 4)
        net.procs.append(None)
        net.logs.append(None)
        net.testnet["nodes"].append({"home": home})
        net.clients.append(lotnet.Ledger("127.0.0.1:%d" % (net.base_port + 104), pb))
        net.n = 5
        started = time.time()
        net.start(4)
        net.wait_ready(nodes=[4])
        net.wait_height(chain_height, nodes=[4], timeout=120)
        took = time.time() - started
        agree(net, range(5))
        print("observer caught up %d blocks in %.2f s (%.0f blocks/s), process start included"
              % (chain_height, took, chain_height / took))
        commit_some(net, dev, 4, "via-observer", count=2)  # relayed to the validators
        agree(net, range(5))
        lotnet.check(len(net.status(4).validators) == 4, "the observer is not a validator yet")

        spec = pb["governance"].AddValidator()
        spec.validator.validator_id = "v4"
        spec.validator.public_key = key
        spec.validator.address = "127.0.0.1:%d" % (net.base_port + 4)
        spec.validator.operator_org = "dev-org"
        decided = propose(net, dev, "add-v4", "add_validator", spec, node=4)
        print("add-v4 adopted at height %d; the new set certifies from %d" % (decided, decided + 2))
        commit_some(net, dev, 0, "after-add")
        height = agree(net, range(5))
        lotnet.check(height >= decided + 2, "the new set is active")
        validators = net.status(2).validators
        lotnet.check(len(validators) == 5 and key in [v.public_key for v in validators],
                     "GetStatus lists 5 validators with v4: %s" % [v.id for v in validators])

        # With v3 down, 4 of 5 are needed: v4 must be voting.
        net.kill(3)
        commit_some(net, dev, 0, "v4-votes")
        agree(net, [0, 1, 2, 4])
        net.start(3)
        net.wait_ready(nodes=[3])
        agree(net, range(5))
        print("5 validators commit; v4 votes (commits continued with v3 down)")

        # v0 is voted out; once the new set is active it is stopped and 4 remain.
        remove = pb["governance"].RemoveValidator(validator_id="v0")
        decided = propose(net, dev, "remove-v0", "remove_validator", remove)
        commit_some(net, dev, 1, "after-remove")
        net.wait_height(decided + 2, nodes=[1, 2, 3, 4])
        net.stop(0)
        # {v1, v2, v3, v4}: quorum 3; with v1 down too, v4's vote is again needed.
        net.kill(1)
        commit_some(net, dev, 2, "without-v0")
        height = agree(net, [2, 3, 4])
        validators = net.status(2).validators
        lotnet.check(sorted(v.id for v in validators) == ["v1", "v2", "v3", "v4"],
                     "GetStatus lists v1..v4: %s" % [v.id for v in validators])
        print("v0 voted out and stopped; commits continue at height %d with v2, v3, v4" % height)
        print("PASS")
    finally:
        net.close()


if __name__ == "__main__":
    main()
