"""2 of 4 validators down: no new commits (and no fork); after restart, progress resumes."""
import time

import lotnet


def main():
    net = lotnet.Net(4, "twodown")
    try:
        net.start_all()
        net.wait_ready()
        pb = net.pb
        dev = net.dev_member()
        r = net.register_mine(dev)
        net.wait_height(r.height)
        net.kill(2)
        net.kill(3)
        h0 = net.status(0).height
        body = lotnet.create_origin_lot(pb, "lot-stuck", "mine-1", 1000, 1)
        r = net.clients[0].submit(dev.sign(body))
        lotnet.check(r.status == pb["api"].TX_STATUS_PENDING, "expected pending: %s" % r)
        time.sleep(6)
        lotnet.check(net.status(0).height == h0 and net.status(1).height == h0,
                     "committed without a quorum!")
        net.start(2)
        net.start(3)
        net.wait_ready()
        deadline = time.time() + 90
        while time.time() < deadline:
            st = net.clients[0].GetTxStatus(pb["api"].GetTxStatusRequest(tx_hash=r.tx_hash))
            if st.status == pb["api"].TX_STATUS_APPLIED:
                break
            time.sleep(0.2)
        lotnet.check(st.status == pb["api"].TX_STATUS_APPLIED, "no progress after restart: %s" % st)
        net.wait_height(st.height, timeout=60)
        blocks = set()
        for i in range(4):
            b = net.clients[i].GetBlock(pb["api"].GetBlockRequest(height=st.height))
            blocks.add(b.block.header)
        lotnet.check(len(blocks) == 1, "fork: nodes hold different blocks at %d" % st.height)
        print("ok: stalled at %d with 2 down; resumed and committed at %d" % (h0, st.height))
    finally:
        net.close()


if __name__ == "__main__":
    main()
