"""Restart of the whole network: every committed transaction is still there, on every node."""
import lotnet


def main():
    net = lotnet.Net(4, "restart")
    try:
        net.start_all()
        net.wait_ready()
        pb = net.pb
        dev = net.dev_member()
        r = net.register_mine(dev)
        committed = [r]
        for k in range(10):
            body = lotnet.create_origin_lot(pb, "lot-%d" % k, "mine-1", 1000 + k, k)
            committed.append(net.clients[k % 4].submit(dev.sign(body), wait=True))
        lotnet.check(all(c.status == pb["api"].TX_STATUS_APPLIED for c in committed), "setup failed")
        top = max(c.height for c in committed)
        net.wait_height(top)
        root = net.status(0).state_root
        for i in range(4):
            net.kill(i)  # a hard stop of everything (power cut)
        net.start_all()
        net.wait_ready()
        for i in range(4):
            s = net.status(i)
            lotnet.check(s.height >= top, "node %d lost blocks: %d < %d" % (i, s.height, top))
            for c in committed:
                st = net.clients[i].GetTxStatus(pb["api"].GetTxStatusRequest(tx_hash=c.tx_hash))
                lotnet.check(st.status == pb["api"].TX_STATUS_APPLIED and st.height == c.height,
                             "node %d lost tx at height %d" % (i, c.height))
        lotnet.check(net.status(0).state_root == root or net.status(0).height > top, "root changed")
        # And the network still works.
        r = net.clients[1].submit(dev.sign(lotnet.create_origin_lot(pb, "after", "mine-1", 5, 1)), wait=True)
        lotnet.check(r.status == pb["api"].TX_STATUS_APPLIED, "no commit after restart: %s" % r)
        print("ok: %d txs survived a full kill -9 restart; new tx at height %d" % (len(committed), r.height))
    finally:
        net.close()


if __name__ == "__main__":
    main()
