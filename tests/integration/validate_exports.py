#!/usr/bin/env python3
"""Validates lotchain export documents against the published schemas, with python3-jsonschema.

Usage: validate_exports.py [--skip-exit CODE] REPO_ROOT FORMAT FILE [FORMAT FILE ...]

The schemas are not in this repository (their licences do not allow it, see
../shared/reference/SOURCES.md): they are read from the reference folder, found at
$LOTCHAIN_REFERENCE_DIR, else REPO_ROOT/../shared/reference or the nearest shared/reference
above REPO_ROOT. When it is absent, each validation prints "SKIPPED validation of FORMAT:
reference folder absent" and nothing is claimed valid (and the script exits with CODE when
--skip-exit is given, for ctest's SKIP_RETURN_CODE). Any other problem fails (exit 1).

batterypass: each aspect is validated against its Battery Pass 1.2.0 schema. The model requires
fields the chain does not hold; the document names them in lotchain.notHeld (paths: "*" for
every array item, a number for one item). Those "required" errors, and only those, are reported as omitted; every
other error fails, and so does a notHeld path that names a field the document does have.
"""
import codecs
import json
import os
import sys

import jsonschema

BATTERYPASS_ASPECTS = {
    "generalProductInformation": "GeneralProductInformation-schema.json",
    "carbonFootprint": "CarbonFootprintForBatteries-schema.json",
    "circularity": "Circularity-schema.json",
    "materialComposition": "MaterialComposition-schema.json",
    "supplyChainDueDiligence": "SupplyChainDueDiligence-schema.json",
}


def find_reference(repo_root):
    env = os.environ.get("LOTCHAIN_REFERENCE_DIR")
    if env:  # explicit: only there
        found = os.path.isfile(os.path.join(env, "SOURCES.md"))
        return (os.path.abspath(env) if found else None), [env]
    candidates = []
    candidates.append(os.path.join(repo_root, "..", "shared", "reference"))
    here = os.path.abspath(repo_root)
    while True:
        candidates.append(os.path.join(here, "shared", "reference"))
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    for c in candidates:
        if c and os.path.isfile(os.path.join(c, "SOURCES.md")):
            return os.path.abspath(c), candidates
    return None, candidates


def load_json(path):
    raw = open(path, "rb").read()
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        return json.loads(raw.decode("utf-16"))
    return json.loads(raw.decode("utf-8-sig"))


def errors_of(validator_class, schema, doc):
    validator_class.check_schema(schema)
    v = validator_class(schema, format_checker=jsonschema.FormatChecker())
    return sorted(v.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))


def fail(fmt, errors):
    for e in errors[:20]:
        print(f"  {fmt}: /{'/'.join(map(str, e.absolute_path))}: {e.message}")
    sys.exit(f"FAIL: {fmt} does not validate ({len(errors)} errors)")


def validate_pact(ref, doc):
    import yaml
    spec = yaml.safe_load(open(os.path.join(ref, "pact", "v3", "openapi.yaml")))
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "$ref": "#/components/schemas/ProductFootprint", "components": spec["components"]}
    return "pact/v3/openapi.yaml#ProductFootprint", errors_of(jsonschema.Draft202012Validator, schema, doc)


def validate_catenax_pcf(ref, doc):
    rel = "catenax-sldt-semantic-models/io.catenax.pcf/9.0.0/Pcf-schema.json"
    return rel, errors_of(jsonschema.Draft4Validator, load_json(os.path.join(ref, rel)), doc)


def validate_epcis(ref, doc):
    rel = "gs1-epcis/EPCIS-JSON-Schema.json"
    return rel, errors_of(jsonschema.Draft7Validator, load_json(os.path.join(ref, rel)), doc)


def path_keys(error):
    """The missing field's path, with its array indices and with "*" for them."""
    missing = error.message.split("'")[1]
    concrete = "/".join([str(p) for p in error.absolute_path] + [missing])
    wild = "/".join(["*" if isinstance(p, int) else str(p) for p in error.absolute_path] + [missing])
    return concrete, wild


def present(doc, path):
    """Whether any instance of PATH ("*" = every array item) is present in DOC."""
    head, _, rest = path.partition("/")
    if head == "*":
        return isinstance(doc, list) and any(present(item, rest) if rest else True for item in doc)
    if head.isdigit():
        i = int(head)
        return isinstance(doc, list) and i < len(doc) and (present(doc[i], rest) if rest else True)
    if not isinstance(doc, dict) or head not in doc:
        return False
    return present(doc[head], rest) if rest else True


def validate_batterypass(ref, doc):
    not_held = doc.get("lotchain", {}).get("notHeld", {})
    omitted, bad = [], []
    for aspect, file in BATTERYPASS_ASPECTS.items():
        if aspect not in doc:
            bad.append(f"aspect {aspect} missing")
            continue
        schema = load_json(os.path.join(ref, "batterypass-datamodel", file))
        listed = set(not_held.get(aspect, []))
        for path in listed:
            if present(doc[aspect], path):
                bad.append(f"{aspect}: notHeld names {path}, which the document has")
        for e in errors_of(jsonschema.Draft4Validator, schema, doc[aspect]):
            keys = path_keys(e) if e.validator == "required" else ()
            if any(k in listed for k in keys):
                omitted.append(f"{aspect}/{next(k for k in keys if k in listed)}")
            else:
                bad.append(f"{aspect}: /{'/'.join(map(str, e.absolute_path))}: {e.message}")
    if bad:
        for b in bad[:20]:
            print("  batterypass:", b)
        sys.exit(f"FAIL: batterypass does not validate ({len(bad)} errors)")
    print(f"batterypass: {len(set(omitted))} required fields omitted as not held by the chain "
          "(lotchain.notHeld): " + ", ".join(sorted(set(omitted))))
    return ("batterypass-datamodel/*-schema.json (5 aspects; every error other than the "
            "omitted fields above fails)"), []


def validate_catenax_battery_pass(ref, doc):
    rel = ("catenax-sldt-semantic-models/io.catenax.battery.battery_pass/6.1.0/"
           "BatteryPass-schema.json")
    listed = set(doc.get("lotchain", {}).get("notHeld", []))
    aspect = {k: v for k, v in doc.items() if k != "lotchain"}
    omitted, bad = [], [f"notHeld names {p}, which the document has"
                        for p in sorted(listed) if present(aspect, p)]
    for e in errors_of(jsonschema.Draft4Validator, load_json(os.path.join(ref, rel)), aspect):
        keys = path_keys(e) if e.validator == "required" else ()
        if any(k in listed for k in keys):
            omitted.append(next(k for k in keys if k in listed))
        else:
            bad.append(f"/{'/'.join(map(str, e.absolute_path))}: {e.message}")
    if bad:
        for b in bad[:20]:
            print("  catenax-battery-pass:", b)
        sys.exit(f"FAIL: catenax-battery-pass does not validate ({len(bad)} errors)")
    print(f"catenax-battery-pass: {len(set(omitted))} required fields omitted as not held by the "
          "chain (lotchain.notHeld): " + ", ".join(sorted(set(omitted))))
    return rel + " (every error other than the omitted fields above fails)", []


VALIDATORS = {"pact": validate_pact, "catenax-pcf": validate_catenax_pcf,
              "epcis": validate_epcis, "batterypass": validate_batterypass,
              "catenax-battery-pass": validate_catenax_battery_pass}


def main(argv):
    skip_exit = None
    if len(argv) > 2 and argv[1] == "--skip-exit":
        skip_exit = int(argv[2])
        argv = argv[:1] + argv[3:]
    if len(argv) < 4 or len(argv) % 2 != 0:
        sys.exit(__doc__)
    ref, looked = find_reference(argv[1])
    for fmt, path in zip(argv[2::2], argv[3::2]):
        doc = json.load(open(path))
        if ref is None:
            print(f"SKIPPED validation of {fmt} ({path}): reference folder absent "
                  f"(looked in {', '.join(c for c in looked if c)}; set LOTCHAIN_REFERENCE_DIR)")
            continue
        schema_name, errors = VALIDATORS[fmt](ref, doc)
        if errors:
            fail(fmt, errors)
        print(f"{fmt}: {path} valid against {schema_name} (python3-jsonschema {jsonschema_version()})")
    if ref is None and skip_exit is not None:
        sys.exit(skip_exit)


def jsonschema_version():
    try:
        from importlib.metadata import version
        return version("jsonschema")
    except Exception:  # noqa: BLE001 - the version is only reported
        return "?"


if __name__ == "__main__":
    main(sys.argv)
