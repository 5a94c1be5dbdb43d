#!/usr/bin/env python3
"""Regenerates the checked-in seed corpus under tests/fuzz/corpus/ (deterministic output).

    python3 tests/fuzz/make_seed_corpus.py          # from the repository root

Needs protoc (protobuf-compiler) and libsodium (libsodium-dev), both build dependencies.
Writes only files named by this script; seeds that libFuzzer found and someone checked in by
hand (corpus/<target>/found-*) are left alone.
"""

import ctypes
import ctypes.util
import hashlib
import pathlib
import struct
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
PROTO_DIR = ROOT / "proto"


def write(target, name, data):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data)


# ---------------------------------------------------------------------------- fuzz_merkle_verify
# Layout: see the header of tests/fuzz/fuzz_merkle_verify.cc.

def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def arbitrary(index, size, leaf, root, path, wide_index=False, wide_size=False, sized=False):
    flags = (0x02 if wide_index else 0) | (0x04 if wide_size else 0) | (0x38 if sized else 0)
    out = bytes([flags])
    out += struct.pack(">Q", index) if wide_index else bytes([index])
    out += struct.pack(">Q", size) if wide_size else bytes([size])
    for field in [leaf, root]:
        out += (bytes([len(field)]) if sized else b"") + field
    for element in path:
        out += (bytes([len(element)]) if sized else b"") + element
    return out


def merkle_seeds():
    # RFC 6962 / CT vectors (transparency-dev/merkle proof/verify_test.go), indices from 0.
    leaves = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243",
                                         "5051525354555657", "606162636465666768696a6b6c6d6e6f"]]
    roots = {
        1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    }
    paths = [
        (0, 1, []),
        (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
        (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    ]
    for index, size, path_hex in paths:
        leaf = leaf_hash(leaves[index])
        root = bytes.fromhex(roots[size])
        path = [bytes.fromhex(h) for h in path_hex]
        write("fuzz_merkle_verify", f"ct-{index}-of-{size}", arbitrary(index, size, leaf, root, path))
        write("fuzz_merkle_verify", f"ct-{index}-of-{size}-wide",
              arbitrary(index, size, leaf, root, path, wide_index=True, wide_size=True))
        write("fuzz_merkle_verify", f"ct-{index}-of-{size}-sized",
              arbitrary(index, size, leaf, root, path, sized=True))
    h = hashlib.sha256(b"x").digest()
    write("fuzz_merkle_verify", "huge-size",
          arbitrary(2**63, 2**64 - 1, h, h, [h] * 64, wide_index=True, wide_size=True))
    write("fuzz_merkle_verify", "short-hashes",
          arbitrary(0, 2, h[:31], h, [h[:1]], sized=True))
    write("fuzz_merkle_verify", "empty", b"")
    # Mutated-proof mode: 0x01, leaf count - 1, index, salt, operation, operands.
    for count in [1, 2, 7, 64, 200, 256]:
        for operation in range(6):
            index = (count * 3 + operation) % count
            operands = bytes([operation, 5, 17, 3, 0x80, 0, 0, 0, 0, 0, 0, 9])
            write("fuzz_merkle_verify", f"mutated-n{count}-op{operation}",
                  bytes([0x01, count - 1, index, count % 251]) + operands)


# ---------------------------------------------------------------------------------- fuzz_hex

def hex_seeds():
    seeds = {
        "empty": b"",
        "byte": b"00",
        "mixed-case": b"deadBEEF",
        "digits": b"0123456789abcdefABCDEF",
        "hash": hashlib.sha256(b"").hexdigest().encode(),
        "odd": b"abc",
        "bad-digit": b"0g",
        "space": b" 0",
        "nul": b"0\x00",
        "high-bytes": b"\xff\xfe\x80\x7f",
    }
    for name, data in seeds.items():
        write("fuzz_hex", name, data)


# ---------------------------------------------------------------------------- fuzz_signed_tx

TX_BODIES = {
    "register-facility": '''chain_id: "lotchain-dev" nonce: 1
        register_facility { facility_id: "mine.kolwezi-1" kind: FACILITY_KIND_MINE country: "CD"
          name: "Kolwezi open pit" coordinates { latitude_microdeg: -10716667
          longitude_microdeg: 25466667 } }''',
    "create-origin-lot": '''chain_id: "lotchain-dev" nonce: 2 memo: "first lot"
        create_origin_lot { lot_id: "lot-0001" facility_id: "mine.kolwezi-1"
          material: "cobalt hydroxide" mass_grams: 1000000
          composition { element: ELEMENT_CO grams: 300000 }
          composition { element: ELEMENT_CU grams: 20000 }
          certificate { document_sha256: "0123456789abcdef0123456789abcdef" issuer: "CEEC"
            number: "2024-17" }
          emissions { co2e_grams: 250000 quality: DATA_QUALITY_PRIMARY } }''',
    "offer-transfer": '''chain_id: "lotchain-dev" nonce: 3
        offer_transfer { lot_id: "lot-0001" prev_event_hash: "abcdefghabcdefghabcdefghabcdefgh"
          to_org: "refiner-a" transport_emissions { co2e_grams: 5000
          quality: DATA_QUALITY_SECONDARY } }''',
    "accept-transfer": '''chain_id: "lotchain-dev" nonce: 4
        accept_transfer { lot_id: "lot-0001" prev_event_hash: "abcdefghabcdefghabcdefghabcdefgh" }''',
    "transform": '''chain_id: "lotchain-dev" nonce: 5
        transform { facility_id: "refinery-1" process: 1
          inputs { lot_id: "lot-0001" prev_event_hash: "abcdefghabcdefghabcdefghabcdefgh"
            mass_grams: 500000 }
          outputs { lot_id: "lot-0002" material: "cobalt sulfate" mass_grams: 400000
            composition { element: ELEMENT_CO grams: 150000 } }
          process_emissions { co2e_grams: 90000 quality: DATA_QUALITY_PRIMARY } }''',
    "recover": '''chain_id: "lotchain-dev" nonce: 6
        recover { facility_id: "recycler-1"
          inputs { lot_id: "pack-9" prev_event_hash: "abcdefghabcdefghabcdefghabcdefgh"
            mass_grams: 300000 }
          outputs { lot_id: "black-mass-1" material: "black mass" mass_grams: 100000 } }''',
    "record-audit": '''chain_id: "lotchain-dev" nonce: 7
        record_audit { audit_id: "audit-1" facility_id: "refinery-1" standard: "RMAP"
          status: 1 audit_date_unix_ms: 1700000000000 valid_until_unix_ms: 1800000000000
          report_sha256: "0123456789abcdef0123456789abcdef" }''',
    "raise-risk-flag": '''chain_id: "lotchain-dev" nonce: 8
        raise_risk_flag { flag_id: "flag-1" facility_id: "mine.kolwezi-1"
          category: RISK_CATEGORY_LABOUR_RIGHTS severity: SEVERITY_HIGH
          evidence_sha256: "0123456789abcdef0123456789abcdef" description: "report" }''',
    "resolve-risk-flag": '''chain_id: "lotchain-dev" nonce: 9
        resolve_risk_flag { flag_id: "flag-1"
          resolution_sha256: "0123456789abcdef0123456789abcdef" note: "remediated" }''',
    "register-battery": '''chain_id: "lotchain-dev" nonce: 10
        register_battery { lot_id: "pack-1" prev_event_hash: "abcdefghabcdefghabcdefghabcdefgh"
          serial: "SN-1" chemistry: "NMC811" rated_capacity_wh: 75000
          expected_lifetime_wh: 150000000 }''',
    "state-of-health": '''chain_id: "lotchain-dev" nonce: 11
        update_state_of_health { lot_id: "pack-1"
          prev_event_hash: "abcdefghabcdefghabcdefghabcdefgh" state_of_health_ppm: 870000
          delivered_energy_wh: 42000000 }''',
    "retire": '''chain_id: "lotchain-dev" nonce: 12
        retire { lot_id: "pack-1" prev_event_hash: "abcdefghabcdefghabcdefghabcdefgh"
          reason: "end of life" }''',
    "no-event": '''chain_id: "lotchain-dev" nonce: 18446744073709551615''',
}


def encode_tx_body(text):
    result = subprocess.run(
        ["protoc", f"-I{PROTO_DIR}", "--encode=lotchain.v1.TxBody", "lotchain/v1/tx.proto"],
        input=text.encode(), capture_output=True, check=True, cwd=PROTO_DIR)
    return result.stdout


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, data):  # length-delimited field
    return varint(number << 3 | 2) + varint(len(data)) + data


class Sodium:
    """Ed25519 through libsodium (ctypes), so the seeds carry genuine signatures."""

    def __init__(self):
        path = ctypes.util.find_library("sodium") or "libsodium.so.23"
        self.lib = ctypes.CDLL(path)
        if self.lib.sodium_init() < 0:
            raise RuntimeError("sodium_init failed")

    def keypair(self, seed):
        public_key = ctypes.create_string_buffer(32)
        secret_key = ctypes.create_string_buffer(64)
        self.lib.crypto_sign_seed_keypair(public_key, secret_key, seed)
        return public_key.raw, secret_key.raw

    def sign(self, secret_key, message):
        signature = ctypes.create_string_buffer(64)
        self.lib.crypto_sign_detached(signature, None, message,
                                      ctypes.c_ulonglong(len(message)), secret_key)
        return signature.raw


def signed_tx_seeds():
    sodium = Sodium()
    public_key, secret_key = sodium.keypair(bytes(range(32)))
    for name, text in TX_BODIES.items():
        body = encode_tx_body(text)
        payload = b"lotchain/tx/v1\x00" + b"lotchain-dev" + b"\x00" + body
        signature = sodium.sign(secret_key, payload)
        write("fuzz_signed_tx", f"signed-{name}",
              field(1, body) + field(2, public_key) + field(3, signature))
        write("fuzz_signed_tx", f"body-{name}", body)
    body = encode_tx_body(TX_BODIES["accept-transfer"])
    envelope = field(1, body) + field(2, public_key) + field(3, bytes(64))
    write("fuzz_signed_tx", "edge-empty", b"")
    write("fuzz_signed_tx", "edge-empty-body", field(2, public_key) + field(3, bytes(64)))
    write("fuzz_signed_tx", "edge-truncated", envelope[: len(envelope) // 2])
    write("fuzz_signed_tx", "edge-unknown-field", envelope + varint(99 << 3) + varint(7))
    write("fuzz_signed_tx", "edge-repeated-body", field(1, b"\x0a\x01x") + envelope)
    write("fuzz_signed_tx", "edge-bad-utf8-body", field(1, b"\x0a\x02\xff\xfe"))
    write("fuzz_signed_tx", "edge-overlong-varint", b"\x10" + b"\xff" * 10 + b"\x01")


def main():
    merkle_seeds()
    hex_seeds()
    signed_tx_seeds()


if __name__ == "__main__":
    main()
