#!/usr/bin/env python3
"""The node's HTTP JSON API against the CLI over gRPC, on a running network (called by
wallet_cli_test.sh once pack-1 exists): the same trace, passport and export documents, the
routes a web page needs, and the error shapes. Exit 1 with the first difference."""
import argparse
import json
import subprocess
import sys
import urllib.error
import urllib.request


def get(base, path, method="GET"):
    request = urllib.request.Request(base + path, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def get_json(base, path, status=200):
    got, headers, body = get(base, path)
    if got != status:
        sys.exit(f"FAIL: GET {path}: expected {status}, got {got}: {body[:300]!r}")
    if not headers.get("Content-Type", "").startswith("application/json"):
        sys.exit(f"FAIL: GET {path}: content type {headers.get('Content-Type')}")
    return json.loads(body)


def cli(lotchain, *args):
    done = subprocess.run([lotchain, *args], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        sys.exit(f"FAIL: lotchain {' '.join(args)}: exit {done.returncode}: {done.stderr}")
    return done.stdout


def same(what, a, b):
    if a != b:
        sys.exit(f"FAIL: {what} differs between the CLI (gRPC) and the HTTP API:\n"
                 f"  cli:  {json.dumps(a)[:400]}\n  http: {json.dumps(b)[:400]}")
    print(f"ok: {what}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lotchain", required=True)
    p.add_argument("--http", required=True)
    p.add_argument("--genesis", required=True)
    p.add_argument("--lot", required=True)
    a = p.parse_args()
    base = a.http + "/api/v1/"
    lot = a.lot

    status = get_json(base, "status")
    height = status["height"]
    same("chain id", json.loads(cli(a.lotchain, "status", "--json"))["chain_id"], status["chain_id"])

    # The same documents through both APIs (nothing commits meanwhile in this script's step).
    same("upstream trace", json.loads(cli(a.lotchain, "trace", lot, "--format", "json")),
         get_json(base, f"lots/{lot}/trace"))
    first_origin = get_json(base, f"lots/{lot}/trace")["nodes"][-1]["lot"]["lot_id"]
    same("downstream trace",
         json.loads(cli(a.lotchain, "trace", first_origin, "--down", "--format", "json")),
         get_json(base, f"lots/{first_origin}/trace?direction=downstream"))
    same("passport",
         json.loads(cli(a.lotchain, "export", "--format", "lotchain-passport", lot,
                        "--genesis", a.genesis)),
         get_json(base, f"lots/{lot}/passport"))
    formats = [f["name"] for f in get_json(base, "formats")["formats"]]
    rendered = 0
    for name in formats:
        code, headers, body = get(base, f"lots/{lot}/exports/{name}")
        if code != 200:
            error = json.loads(body)["error"]
            if code != 409 or not error["code"].startswith("EXPORT_"):
                sys.exit(f"FAIL: export {name}: {code} {body[:300]!r}")
            done = subprocess.run([a.lotchain, "export", "--format", name, lot, "--genesis",
                                   a.genesis], capture_output=True, text=True, timeout=120)
            if done.returncode == 0 or error["code"] not in done.stderr:
                sys.exit(f"FAIL: export {name}: HTTP refused with {error['code']}, the CLI "
                         f"said: exit {done.returncode} {done.stderr[:300]}")
            print(f"ok: export {name} refused by both with {error['code']}")
            continue
        out = cli(a.lotchain, "export", "--format", name, lot, "--genesis", a.genesis)
        if headers.get("Content-Type", "").startswith("application/json"):
            same(f"export {name}", json.loads(out), json.loads(body))
        else:
            same(f"export {name}", out.strip(), body.decode().strip())
        rendered += 1
    if rendered < 3:
        sys.exit(f"FAIL: only {rendered} export formats rendered over HTTP")

    # What a web page needs: search, blocks with decoded transactions, a transaction.
    matches = get_json(base, f"search?q={lot}")["matches"]
    if {"kind": "lot", "id": lot, "path": f"/api/v1/lots/{lot}"} not in matches:
        sys.exit(f"FAIL: search did not find lot {lot}: {matches}")
    block = get_json(base, "blocks/1")
    if block["header"]["height"] != 1 or not block["txs"]:
        sys.exit(f"FAIL: block 1: {block}")
    tx = get_json(base, "txs/" + block["txs"][0]["hash"])
    if tx["status"] != "TX_STATUS_APPLIED" or tx["tx"]["hash"] != block["txs"][0]["hash"]:
        sys.exit(f"FAIL: tx: {tx}")
    latest = get_json(base, "blocks/latest")
    if latest["height"] < height:
        sys.exit("FAIL: blocks/latest is below the status height")
    print("ok: search, blocks, txs")

    # Errors: stable codes, HTTP statuses from their class, methods checked.
    for path, want_status, want_code in [
            ("lots/no-such-lot", 404, "NOT_FOUND"),
            (f"lots/{lot}/exports/no-such-format", 400, "UNKNOWN_FORMAT"),
            (f"lots/{lot}/trace?direction=sideways", 400, "INVALID_ARGUMENT"),
            (f"blocks/{height + 1000}", 404, "NOT_FOUND"),
            ("nowhere", 404, "NOT_FOUND")]:
        error = get_json(base, path, want_status)["error"]
        if error["code"] != want_code or error["http_status"] != want_status:
            sys.exit(f"FAIL: {path}: {error}")
    code, _, _ = get(base, f"lots/{lot}", method="POST")
    if code != 405:
        sys.exit(f"FAIL: POST answered {code}, expected 405")
    print("ok: errors")
    print("PASS: HTTP JSON API agrees with the CLI")


if __name__ == "__main__":
    main()
