#!/usr/bin/env python3
"""Cuts a results.json or certificate.json of a simulated run down to a small fuzz seed: N
measurements or checks (default 3; one per status/verdict, scope and kind first), each with at
most 4 samples and one GPU's telemetry, one GPU of inventory, so libFuzzer's mutations land on structure rather than on long sample arrays.
  usage: trim_seed.py FILE.json [N] > tests/fuzz/corpus/{results,certificate}/NAME.json"""
import json
import sys

doc = json.load(open(sys.argv[1]))
n = int(sys.argv[2]) if len(sys.argv) > 2 else 3


def trim(entry, samples_key):
    entry[samples_key] = entry[samples_key][:4]
    for name in list(entry.get("metrics", {})):
        entry["metrics"][name] = entry["metrics"][name][:4]
    tel = entry.get("telemetry", {})
    for gpu in list(tel)[1:]:
        del tel[gpu]


def pick(entries, signature):
    seen, first, rest = set(), [], []
    for e in entries:
        (rest if signature(e) in seen else first).append(e)
        seen.add(signature(e))
    return (first + rest)[:n]


def trim_inventory(inv):
    if isinstance(inv, dict) and isinstance(inv.get("gpus"), list):
        inv["gpus"] = inv["gpus"][:1]


if "measurements" in doc:
    doc["measurements"] = pick(doc["measurements"],
                               lambda m: (m["status"], m["target"]["scope"]))
    for m in doc["measurements"]:
        trim(m, "seconds")
    for key in ("inventory_before", "inventory_after"):
        trim_inventory(doc.get(key))
else:
    doc["checks"] = pick(doc["checks"], lambda c: (c["verdict"], c["scope"], c["kind"]))
    for c in doc["checks"]:
        trim(c, "samples")
    for key in ("inventory", "inventory_after"):
        trim_inventory(doc.get(key))
json.dump(doc, sys.stdout, separators=(",", ":"))
sys.stdout.write("\n")
