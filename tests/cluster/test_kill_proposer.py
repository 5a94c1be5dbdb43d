"""Killing the current proposer again and again: rounds move on and commits continue."""
import time

import lotnet


def main():
    net = lotnet.Net(4, "killprop", block_delay_ms=10)
    try:
        net.start_all()
        net.wait_ready()
        pb = net.pb
        dev = net.dev_member()
        r = net.register_mine(dev)
        killed = []
        for k in range(5):
            h = max(s.height for s in (net.status(i) for i in range(4) if net.alive(i)) if s)
            proposer = (h + 1) % 4  # round-robin: (height + round) mod n, round 0
            net.kill(proposer)
            killed.append(proposer)
            alive = [i for i in range(4) if net.alive(i)]
            body = lotnet.create_origin_lot(pb, "lot-%d" % k, "mine-1", 1000 + k, k)
            r = net.clients[alive[0]].submit(dev.sign(body), wait=True, timeout=60)
            lotnet.check(r.status == pb["api"].TX_STATUS_APPLIED,
                         "tx %d not committed with proposer %d down: %s" % (k, proposer, r))
            net.start(proposer)
            net.wait_ready([proposer])
            net.wait_height(r.height, timeout=60)
        statuses = [net.status(i) for i in range(4)]
        top = max(s.height for s in statuses)
        net.wait_height(top)
        statuses = [net.status(i) for i in range(4)]
        lotnet.check(len({s.state_root for s in statuses if s.height == top}) == 1, "roots differ")
        print("ok: killed proposers %s, every tx committed, height %d" % (killed, top))
    finally:
        net.close()


if __name__ == "__main__":
    main()
