"""A client that is not C++: Python (grpcio + PyNaCl) builds, signs and submits custody
transactions from the .proto files and docs/FORMAT.md alone, then reads them back: lot,
history with hash links, trace, block with certificate, and the rejection of a bad signature."""
import hashlib
import time

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
        # A batch: admitted on node 2, gossiped to the others, committed; a replayed nonce and a
        # bad signature inside it are refused one by one without failing the rest.
        batch = [dev.sign(lotnet.register_facility(pb, "batch-mine-%d" % i, pb["types"].FACILITY_KIND_MINE))
                 for i in range(300)]
        stale = lotnet.register_facility(pb, "batch-stale", pb["types"].FACILITY_KIND_MINE)
        stale.nonce = 1
        forged = pb["tx"].SignedTx.FromString(batch[0])
        forged.signature = bytes(64)
        request = batch[:150] + [dev.sign(stale), forged.SerializeToString()] + batch[150:]
        response = net.clients[2].SubmitTxBatch(api.SubmitTxBatchRequest(signed_txs=request), timeout=30)
        lotnet.check(len(response.results) == 302, "one result per tx: %d" % len(response.results))
        codes = [res.error_code for res in response.results]
        lotnet.check(codes[150] == "INVALID_ARGUMENT" and "REPLAYED_NONCE" in response.results[150].error,
                     "stale nonce: %s" % response.results[150])
        lotnet.check(codes[151] == "INVALID_ARGUMENT" and "BAD_SIGNATURE" in response.results[151].error,
                     "forged: %s" % response.results[151])
        admitted = [res for k, res in enumerate(response.results) if k not in (150, 151)]
        lotnet.check(all(res.error_code == "" and res.status.status == api.TX_STATUS_PENDING
                         for res in admitted), "batch not admitted: %s" % set(codes))
        last = hashlib.sha256(batch[-1]).digest()
        status = None
        for _ in range(300):
            try:  # NOT_FOUND until node 3 has the gossip
                status = net.clients[3].GetTxStatus(api.GetTxStatusRequest(tx_hash=last))
                if status.status == api.TX_STATUS_APPLIED:
                    break
            except grpc.RpcError as e:
                lotnet.check(e.code() == grpc.StatusCode.NOT_FOUND, "status: %s" % e)
            time.sleep(0.1)
        lotnet.check(status is not None and status.status == api.TX_STATUS_APPLIED,
                     "batch not committed: %s" % status)
        for signed in batch:
            status = net.clients[3].GetTxStatus(api.GetTxStatusRequest(tx_hash=hashlib.sha256(signed).digest()))
            lotnet.check(status.status == api.TX_STATUS_APPLIED, "batch tx not applied: %s" % status)
        print("ok: Python client signed, submitted and read back (height %d)" % r.height)
    finally:
        net.close()


if __name__ == "__main__":
    main()
