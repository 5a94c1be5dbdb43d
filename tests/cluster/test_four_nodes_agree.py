"""Four lotchaind processes: transactions submitted over gRPC commit, and all nodes reach the
same height and state root. Also: an idle network does not grow empty blocks."""
import time

import grpc

import lotnet


def tx_status(client, pb, tx_hash):
    """The tx's status code; None while the node cannot say (busy: UNAVAILABLE/DEADLINE)."""
    try:
        return client.GetTxStatus(pb["api"].GetTxStatusRequest(tx_hash=tx_hash), timeout=10).status
    except grpc.RpcError as e:
        if e.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            return None
        raise


def main():
    net = lotnet.Net(4, "agree")
    try:
        net.start_all()
        net.wait_ready()
        pb = net.pb
        dev = net.dev_member()
        c = net.clients
        # Idle: no transactions, no blocks.
        time.sleep(2)
        lotnet.check(all(net.status(i).height == 0 for i in range(4)), "idle network grew blocks")
        net.register_mine(dev)
        hashes = []
        for k in range(40):
            body = lotnet.create_origin_lot(pb, "lot-%d" % k, "mine-1", 1000 + k, 10 * k,
                                            [(pb["types"].ELEMENT_CO, 100)])
            # One signer, four entry nodes: each tx waits for its commit before the next is
            # sent. Nonces need only increase, so tx k+1 reaching a proposer before tx k's
            # gossip would commit first and leave tx k stale (refused), which is correct
            # behaviour but not what this test is about.
            r = c[k % 4].submit(dev.sign(body), wait=True)
            lotnet.check(r.status in (pb["api"].TX_STATUS_PENDING, pb["api"].TX_STATUS_APPLIED),
                         "submit failed: %s" % r)
            hashes.append((k % 4, r.tx_hash))
        deadline = time.time() + 60
        while time.time() < deadline:
            # Ask the node that admitted each tx: another node learns of it only through gossip.
            states = [tx_status(c[i], pb, h) for i, h in hashes]
            if all(s == pb["api"].TX_STATUS_APPLIED for s in states):
                break
            time.sleep(0.2)
        lotnet.check(all(s == pb["api"].TX_STATUS_APPLIED for s in states), "not all applied: %s" % states)
        top = max(net.status(i).height for i in range(4))
        net.wait_height(top)
        roots = {net.status(i).state_root.hex() for i in range(4)}
        heights = {net.status(i).height for i in range(4)}
        lotnet.check(len(roots) == 1 and len(heights) == 1, "nodes disagree: %s %s" % (heights, roots))
        lot = c[3].GetLot(pb["api"].GetLotRequest(lot_id="lot-7"))
        lotnet.check(lot.mass_grams == 1007 and lot.custodian_org == "dev-org", "bad lot %s" % lot)
        # Clean shutdown on SIGTERM.
        for i in range(4):
            code = net.stop(i)
            lotnet.check(code == 0, "node %d exited with %s on SIGTERM" % (i, code))
        print("ok: 41 txs applied, 4 nodes at height %d with one state root" % top)
    finally:
        net.close()


if __name__ == "__main__":
    main()
