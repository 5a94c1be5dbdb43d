"""A rogue TCP client on a validator's p2p port — garbage, a truncated hello, an oversized
frame, a handshake with an unknown key — is refused, and the node keeps serving and committing."""
import hashlib
import os
import socket
import time

import nacl.public

import lotnet


def send_and_close(address, data, linger=0.3):
    host, port = address.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=3) as s:
            s.sendall(data)
            time.sleep(linger)
            try:
                s.settimeout(1)
                s.recv(4096)
            except (socket.timeout, ConnectionResetError):
                pass
    except (ConnectionRefusedError, ConnectionResetError, BrokenPipeError):
        pass


def main():
    net = lotnet.Net(4, "rogue")
    try:
        net.start_all()
        net.wait_ready()
        pb = net.pb
        dev = net.dev_member()
        target = net.testnet["nodes"][0]["p2p"]
        chain_hash = hashlib.sha256(net.chain_id.encode()).digest()
        eph = bytes(nacl.public.PrivateKey.generate().public_key)
        stranger = os.urandom(32)
        attacks = {
            "garbage": os.urandom(4096),
            "truncated hello": b"LOTP2P1\x00" + chain_hash[:10],
            "wrong chain": b"LOTP2P1\x00" + hashlib.sha256(b"other").digest() + eph + stranger,
            "unknown key": b"LOTP2P1\x00" + chain_hash + eph + stranger,
            "oversized frame": b"LOTP2P1\x00" + chain_hash + eph + stranger + b"\xff\xff\xff\xff" + b"x" * 1000,
            "empty": b"",
        }
        for name, data in attacks.items():
            for _ in range(3):
                send_and_close(target, data)
        # Many idle connections at once (unauthenticated sockets are bounded and time out).
        idle = []
        host, port = target.rsplit(":", 1)
        for _ in range(100):
            try:
                idle.append(socket.create_connection((host, int(port)), timeout=2))
            except OSError:
                break
        r = net.register_mine(dev)
        for s in idle:
            s.close()
        lotnet.check(r.status == pb["api"].TX_STATUS_APPLIED, "node 0 stopped committing: %s" % r)
        lotnet.check(net.alive(0), "node 0 died")
        net.wait_height(r.height)
        print("ok: %d attack kinds refused; node 0 still commits (height %d)" % (len(attacks), r.height))
    finally:
        net.close()


if __name__ == "__main__":
    main()
