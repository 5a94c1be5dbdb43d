"""Backup and restore of a node's store (docs/OPERATIONS.md "Backup and restore"): a stopped
node's data directory copied is a backup; the network commits on without it; the node's store
is wiped and the backup put back, the node starts from it (the store written by this release
opens again) and catches up to the others, with the transactions from before and after the
backup. The restored validator starts only once the network is past the height it had reached,
as the procedure says (its record of what it signed is the backup's)."""
import os
import shutil

import lotnet


def main():
    net = lotnet.Net(4, "backup")
    try:
        net.start_all()
        net.wait_ready()
        dev = net.dev_member()
        pb = net.pb
        before = net.register_mine(dev, "mine-before")
        net.wait_height(before.height)
        lotnet.check(net.stop(3) == 0, "node3 stops cleanly")
        data = os.path.join(net.home(3), "data")
        backup = os.path.join(net.dir, "node3-data-backup")
        shutil.copytree(data, backup, symlinks=True)
        net.start(3)
        net.wait_ready([3])
        after = [net.register_mine(dev, "mine-after-%d" % k, node=k % 3) for k in range(3)]
        reached = net.wait_height(after[-1].height)[3]
        lotnet.check(net.stop(3) == 0, "node3 stops cleanly again")
        shutil.rmtree(data)
        shutil.copytree(backup, data, symlinks=True)
        # The rule for a restored validator: the network first passes the height it had reached.
        extra = net.register_mine(dev, "mine-while-restoring", node=0)
        lotnet.check(extra.height > reached, "network past node3's last height")
        net.start(3)
        net.wait_ready([3])
        hs = net.wait_height(extra.height, timeout=60)
        for r in [before] + after + [extra]:
            st = net.clients[3].GetTxStatus(pb["api"].GetTxStatusRequest(tx_hash=r.tx_hash))
            lotnet.check(st.status == pb["api"].TX_STATUS_APPLIED and st.height == r.height,
                         "restored node3 lacks the tx of height %d: %s" % (r.height, st))
        tips = {i: net.clients[i].GetBlock(pb["api"].GetBlockRequest(height=extra.height))
                .block.header for i in range(4)}
        lotnet.check(len(set(tips.values())) == 1, "restored node3 disagrees on a header")
        print("ok: backup at height %d restored after height %d; node3 caught up to %d with all "
              "%d transactions; heights %s" % (before.height, reached, extra.height,
                                               len(after) + 2, hs))
    finally:
        net.close()


if __name__ == "__main__":
    main()
