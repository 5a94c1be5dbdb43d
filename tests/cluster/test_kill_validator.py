"""kill -9 of one validator while transactions flow: the others keep committing; restarted, it
catches up (fetching blocks with certificates) and matches the state root."""
import threading
import time

import lotnet


def main():
    net = lotnet.Net(4, "kill1")
    try:
        net.start_all()
        net.wait_ready()
        pb = net.pb
        dev = net.dev_member()
        r = net.register_mine(dev)
        stop = threading.Event()
        submitted = []

        def load():
            k = 0
            while not stop.is_set():
                body = lotnet.create_origin_lot(pb, "lot-%d" % k, "mine-1", 1000 + k, k)
                try:
                    r = net.clients[k % 3].submit(dev.sign(body))
                    submitted.append(r.tx_hash)
                except Exception:  # noqa: BLE001 - a node may be briefly busy
                    pass
                k += 1
                time.sleep(0.02)

        t = threading.Thread(target=load)
        t.start()
        time.sleep(2)
        net.kill(3)
        h_killed = max(net.status(i).height for i in range(3))
        deadline = time.time() + 30  # a round whose proposer is down takes timeout_propose
        while time.time() < deadline:
            h_after = min(net.status(i).height for i in range(3))
            if h_after > h_killed + 2:
                break
            time.sleep(0.2)
        lotnet.check(h_after > h_killed + 2, "no progress without node 3: %d -> %d" % (h_killed, h_after))
        net.start(3)
        time.sleep(3)
        stop.set()
        t.join()
        top = max(net.status(i).height for i in range(3))
        net.wait_height(top, timeout=60)
        time.sleep(1)
        top = max(net.status(i).height for i in range(4))
        net.wait_height(top, timeout=60)
        roots = {net.status(i).height: None for i in range(4)}
        statuses = [net.status(i) for i in range(4)]
        lotnet.check(len({s.height for s in statuses}) == 1, "heights differ: %s" % [s.height for s in statuses])
        lotnet.check(len({s.state_root for s in statuses}) == 1, "state roots differ")
        print("ok: %d txs submitted; node 3 killed at ~%d, others reached %d; caught up to %d"
              % (len(submitted), h_killed, h_after, top))
        del roots
    finally:
        net.close()


if __name__ == "__main__":
    main()
