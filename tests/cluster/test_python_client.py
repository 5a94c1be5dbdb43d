"""A client that is not C++: Python (grpcio + PyNaCl) builds, signs and submits custody
transactions from the .proto files and docs/FORMAT.md alone, then reads them back: lot,
history with hash links, trace, block with certificate, and the rejection of a bad signature."""
import hashlib

import grpc

import lotnet


def main():
    net = lotnet.Net(4, "pyclient")
    try:
        net.start_all()
        net.wait_ready()
        pb = net.pb
        api = pb["api"]
        dev = net.dev_member()
        c = net.clients[1]
        r = c.submit(dev.sign(lotnet.register_facility(pb, "mine-py", pb["types"].FACILITY_KIND_MINE, "AU")),
                     wait=True)
        lotnet.check(r.status == api.TX_STATUS_APPLIED, "facility: %s" % r)
        body = lotnet.create_origin_lot(pb, "li-ore-1", "mine-py", 2_000_000, 18_000_000,
                                        [(pb["types"].ELEMENT_LI, 30_000)])
        signed = dev.sign(body)
        r = c.submit(signed, wait=True)
        lotnet.check(r.status == api.TX_STATUS_APPLIED, "origin lot: %s" % r)
        lotnet.check(r.tx_hash == hashlib.sha256(signed).digest(), "tx hash is not SHA-256(SignedTx)")
        lot = c.GetLot(api.GetLotRequest(lot_id="li-ore-1"))
        lotnet.check(lot.footprint_co2e_grams == 18_000_000 and lot.origin_country == "AU", "lot %s" % lot)
        history = c.GetLotHistory(api.GetLotHistoryRequest(lot_id="li-ore-1"))
        lotnet.check(len(history.events) == 1 and history.events[0].tx_hash == r.tx_hash, "history")
        expected = hashlib.sha256(b"lotchain/event/v1\x00" + b"\x00" * 32 + r.tx_hash + b"li-ore-1").digest()
        lotnet.check(history.events[0].event_hash == expected, "event hash differs from docs/FORMAT.md")
        trace = c.Trace(api.TraceRequest(lot_id="li-ore-1"))
        lotnet.check(trace.roll_up.footprint_co2e_grams == 18_000_000, "trace roll-up")
        block = c.GetBlock(api.GetBlockRequest(height=r.height))
        header = pb["block"].BlockHeader.FromString(block.block.header)
        lotnet.check(header.height == r.height and len(block.certificate.precommits) >= 3, "block/cert")
        lotnet.check(block.certificate.block_hash == hashlib.sha256(block.block.header).digest(), "hash")
        # A bad signature is refused with INVALID_ARGUMENT naming the problem.
        tx = pb["tx"].SignedTx.FromString(dev.sign(lotnet.create_origin_lot(pb, "x", "mine-py", 1, 0)))
        tx.signature = bytes(64)
        try:
            c.submit(tx.SerializeToString())
            raise AssertionError("bad signature accepted")
        except grpc.RpcError as e:
            lotnet.check(e.code() == grpc.StatusCode.INVALID_ARGUMENT and "BAD_SIGNATURE" in e.details(),
                         "wrong error: %s %s" % (e.code(), e.details()))
        try:
            c.GetLot(api.GetLotRequest(lot_id="no-such-lot"))
            raise AssertionError("unknown lot found")
        except grpc.RpcError as e:
            lotnet.check(e.code() == grpc.StatusCode.NOT_FOUND, "wrong error %s" % e.code())
        print("ok: Python client signed, submitted and read back (height %d)" % r.height)
    finally:
        net.close()


if __name__ == "__main__":
    main()
