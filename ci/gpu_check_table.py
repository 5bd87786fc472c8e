#!/usr/bin/env python3
"""The device check's host-side steps (ci/gpu-check.sh), here so that CI tests them without a GPU.

  profile  the quick certification the check runs: one clause per compared figure on GPU 0, at
           the configuration the PyTorch peer copies (ci/torch_peer.py), each floor the card's
           acceptance floor from the SKU table (node file `acceptance:`), else the GPU tier's
           floor (0.8 x achievable). Input: the card's entry as gpucert-sku prints it.
  table    the check's verdict: per figure gpucert's median (the certificate's value), the
           peer's median, their ratio and the targets, then one line PASS or FAIL.

Targets (issue 10): ours >= 0.98 x the peer in the same run, on every figure; and ours >= the
card's acceptance floor where the SKU table sets one. A figure missing on either side, a check
that ERRORed (including a result that failed verification), a failed GPU test, a step that
failed or timed out, or simulated figures are failures too.

usage:
  gpu_check_table.py profile --sku SKU.json [--fast-accum] -o PROFILE.yaml
  gpu_check_table.py table --sku SKU.json --cert certificate.json --peer peer.json
                           [--tests gtest.json] [--telemetry smi.csv] [--step NAME:RC:SECONDS]...
                           [--allow-simulated]
Exit: 0 every target met; 1 a target missed or a step failed; 2 bad input (usage, unreadable
JSON, a card without an SKU entry, an acceptance floor on a figure the check does not compare).
"""
import argparse
import csv
import json
import sys

PEER_MIN_RATIO = 0.98  # issue 10: ours >= 0.98 x the peer in the same run, every figure

# The figures the check compares (tests/gpu/sku_bounds.cpp check_figures() lists the same five):
# node-file key, certification clause, metric, parameters, unit. The parameters are the shipped
# profiles' (the reference configuration of each node-file figure) with the GEMM layout spelled
# out, so the peer's configuration is fixed by this table.
FIGURES = [
    ("gemm.bf16", "gemm-bf16", "gemm.tflops",
     {"dtype": "bf16", "m": 8192, "n": 8192, "k": 8192, "layout": "tn"}, "TFLOP/s",
     "dense BF16 GEMM 8192^3 (cuBLASLt)"),
    ("gemm.fp8", "gemm-fp8", "gemm.tflops",
     {"dtype": "fp8", "m": 8192, "n": 8192, "k": 8192, "layout": "tn"}, "TFLOP/s",
     "dense FP8 (e4m3) GEMM 8192^3"),
    ("hbm.copy", "hbm-copy", "hbm.copy.gbps", {"bytes": "1GiB"}, "GB/s",
     "HBM copy, 1 GiB per array, bytes read + written"),
    ("pcie.h2d", "pcie-h2d", "pcie.h2d.gbps", {"bytes": "256MiB", "engine": "ce"}, "GB/s",
     "host to device, pinned memory, copy engine"),
    ("pcie.d2h", "pcie-d2h", "pcie.d2h.gbps", {"bytes": "256MiB", "engine": "ce"}, "GB/s",
     "device to host, pinned memory, copy engine"),
]
KEYS = [f[0] for f in FIGURES]


class BadInput(Exception):
    pass


def load_json(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        raise BadInput(f"{what} {path}: {e.strerror}")
    except json.JSONDecodeError as e:
        raise BadInput(f"{what} {path}: not JSON ({e})")


def load_sku(path):
    sku = load_json(path, "SKU entry")
    if not isinstance(sku, dict) or "card" not in sku:
        raise BadInput(f"SKU entry {path}: not gpucert-sku output (no 'card')")
    if sku.get("node") is None:
        raise BadInput(f"{sku.get('why') or 'no SKU entry for ' + str(sku['card'])}: the check's "
                       f"targets come from the node file; add one for this card")
    figs = sku.get("figures")
    if not isinstance(figs, dict) or any(k not in figs for k in KEYS):
        raise BadInput(f"SKU entry {path}: 'figures' must have {', '.join(KEYS)}")
    unchecked = sku.get("acceptance_unchecked") or []
    if unchecked:
        where = sku.get("node_file", sku["node"])
        raise BadInput(f"{where}: acceptance on {', '.join(unchecked)}, "
                       f"which the device check does not compare (it compares {', '.join(KEYS)})")
    return sku


def floor_of(sku, key):
    """(floor, basis): the acceptance floor where set, else the GPU tier's floor."""
    f = sku["figures"][key]
    if f.get("acceptance") is not None:
        return float(f["acceptance"]), "acceptance"
    return float(f["tier_floor"]), "tier"


def num(x):
    return f"{round(float(x), 3):g}"


def flow_map(d):
    """{k: v, ...} in YAML flow style; strings in JSON quoting, which YAML reads the same."""
    def scalar(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        return json.dumps(v) if isinstance(v, str) else str(v)
    return "{" + ", ".join(f"{k}: {scalar(v)}" for k, v in d.items()) + "}"


def cmd_profile(args):
    sku = load_sku(args.sku)
    lines = [
        "# The device check's quick certification (ci/gpu-check.sh), written by",
        "# ci/gpu_check_table.py: one clause per figure compared with PyTorch, on GPU 0.",
        f"# Floors from {sku['node_file']}: its acceptance floor",
        "# where set, else the GPU tier's floor (0.8 x achievable).",
        "schema: gpucert/profile/v1",
        f"name: gpu-check-{sku['node']}",
        f"description: {json.dumps('device check of ' + sku['card'] + ' (ci/gpu-check.sh)')}",
        "tier: quick",
        "match:",
        f"  gpu_name: {json.dumps(sku['card'])}",
        "method:",
        "  confidence: 0.95",
        "  target_rel_ci: 0.01",
        "  min_samples: 10",
        "  max_samples: 100",
        "  max_seconds_per_clause: 6 # 5 clauses: about 30 s of samples, plus set-up",
        "clauses:",
    ]
    for key, cid, metric, params, unit, desc in FIGURES:
        p = dict(params)
        if args.fast_accum and p.get("dtype") == "fp8":
            p["fast_accum"] = True  # as the shipped fp8 clauses, and the peer's use_fast_accum
        floor, basis = floor_of(sku, key)
        lines += [
            f"  - id: {cid}",
            f"    metric: {metric}",
            f"    params: {flow_map(p)}",
            "    each: gpu",
            "    stat: median",
            f"    min: {num(floor)} # {basis} floor for {key} ({unit})",
            f"    description: {json.dumps(desc)}",
        ]
    text = "\n".join(lines) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as f:
            f.write(text)
    return 0


def certificate_figures(cert, failures):
    """{key: (value, verdict)} from the certificate's checks on GPU 0."""
    out = {}
    if cert.get("schema") == "gpucert/certificate/v2":
        raise BadInput("certificate: the compact file form; give its full form "
                       "(gpucert report certificate.json --format json-full)")
    checks = cert.get("checks")
    if not isinstance(checks, list):
        raise BadInput("certificate: no 'checks' list")
    by_clause = {}
    ids = {f[1] for f in FIGURES}
    for c in checks:
        if not isinstance(c, dict):
            continue
        by_clause.setdefault(c.get("clause_id"), c)
        # Beside the figures only match.gpu_name: a FAIL there means the wrong SKU entry.
        if c.get("clause_id") not in ids and c.get("verdict") in ("FAIL", "ERROR"):
            failures.append(f"check {c.get('clause_id')} on {c.get('target', '?')} is "
                            f"{c.get('verdict')}: {c.get('message') or c.get('observed') or ''}")
    for key, cid, *_ in FIGURES:
        c = by_clause.get(cid)
        if c is None:
            failures.append(f"{key}: the certificate has no check '{cid}'")
            continue
        verdict, value = c.get("verdict"), c.get("value")
        if verdict not in ("PASS", "FAIL", "INCONCLUSIVE"):
            why = c.get("message") or c.get("cause") or ""
            failures.append(f"{key}: check {cid} on {c.get('target', '?')} is {verdict}"
                            + (f": {why}" if why else ""))
            continue
        if not isinstance(value, (int, float)):
            failures.append(f"{key}: check {cid} has no value")
            continue
        out[key] = (float(value), verdict)
    return out


def peer_figures(peer, failures):
    out = {}
    figs = peer.get("figures") if isinstance(peer, dict) else None
    if not isinstance(figs, dict):
        raise BadInput("peer: no 'figures' object (not ci/torch_peer.py output)")
    errors = peer.get("errors") or []
    for key in KEYS:
        v = figs.get(key, {}).get("value") if isinstance(figs.get(key), dict) else None
        if isinstance(v, (int, float)) and v > 0:
            out[key] = float(v)
        else:
            said = [e for e in errors if str(e).startswith(key)]
            failures.append(f"{key}: no PyTorch figure" + (f" ({said[0]})" if said else ""))
    return out


def gtest_summary(doc):
    """(passed, skipped, failed names) from a --gtest_output=json document."""
    passed, skipped, failed = 0, 0, []
    for suite in doc.get("testsuites", []):
        for t in suite.get("testsuite", []):
            name = f"{suite.get('name')}.{t.get('name')}"
            if t.get("failures"):
                failed.append(name)
            elif t.get("result") == "SKIPPED":
                skipped += 1
            elif t.get("status", "RUN") == "RUN":
                passed += 1
    return passed, skipped, failed


def telemetry_line(path):
    sm, temp, power = [], [], []
    try:
        rows = list(csv.reader(open(path)))
    except OSError:
        return None
    for r in rows:
        if len(r) < 5 or r[0].strip() != "0":
            continue
        try:
            sm.append(float(r[1]))
            temp.append(float(r[3]))
            power.append(float(r[4]))
        except ValueError:
            continue
    if not sm:
        return None
    return (f"gpu0 during the check: SM clock {min(sm):.0f}-{max(sm):.0f} MHz, "
            f"max {max(temp):.0f} C, max {max(power):.0f} W ({len(sm)} samples)")


def cmd_table(args):
    sku = load_sku(args.sku)
    failures, notes = [], []
    for s in args.step:
        try:
            name, rc, secs = s.rsplit(":", 2)
            rc, secs = int(rc), float(secs)
        except ValueError:
            raise BadInput(f"--step {s}: expected NAME:RC:SECONDS")
        notes.append(f"{name}: exit {rc}, {secs:.0f} s")
        if rc in (124, 137):
            failures.append(f"{name}: timed out after {secs:.0f} s")
        elif rc != 0 and name != "certification":  # its verdict is judged per figure below
            failures.append(f"{name}: exit {rc}")

    cert = load_json(args.cert, "certificate") if args.cert else None
    ours = {}
    if cert is None:
        failures.append("no certificate: the certification did not run")
    else:
        if cert.get("simulated"):
            (notes if args.allow_simulated else failures).append(
                "the certificate is SIMULATED: these are not measurements")
        ours = certificate_figures(cert, failures)
        notes.append(f"certificate: {cert.get('outcome', '?')} ({cert.get('summary', '')})")
    peer_doc = load_json(args.peer, "peer") if args.peer else None
    peer = {}
    if peer_doc is None:
        failures.append("no PyTorch figures: the peer did not run")
    else:
        peer = peer_figures(peer_doc, failures)
        dev = (peer_doc.get("device") or {}).get("name")
        notes.append(f"peer: torch {peer_doc.get('torch', '?')} (CUDA {peer_doc.get('cuda', '?')})"
                     + (f" on {dev}" if dev else ""))
        if dev and dev != sku["card"]:
            failures.append(f"the peer ran on {dev}, the SKU entry is for {sku['card']}")

    if args.tests:
        tdoc = load_json(args.tests, "GPU test report")
        passed, skipped, failed = gtest_summary(tdoc)
        notes.append(f"gpu tests: {passed} passed, {skipped} skipped, {len(failed)} failed")
        failures += [f"gpu test failed: {n}" for n in failed]
    if args.telemetry:
        line = telemetry_line(args.telemetry)
        if line:
            notes.append(line)

    rows = []
    for key, cid, metric, params, unit, desc in FIGURES:
        floor, basis = floor_of(sku, key)
        o, p = ours.get(key), peer.get(key)
        ratio = o[0] / p if o and p else None
        ok = ratio is not None and ratio >= PEER_MIN_RATIO
        target = f">= {PEER_MIN_RATIO:g} x peer"
        if basis == "acceptance":
            target += f", >= {num(floor)}"
            ok = ok and o[0] >= floor
            if o and o[0] < floor:
                failures.append(f"{key}: {o[0]:.4g} {unit} is below the acceptance floor "
                                f"{num(floor)} ({sku['node_file']})")
        if ratio is not None and ratio < PEER_MIN_RATIO:
            failures.append(f"{key}: {ratio:.3f} x PyTorch ({o[0]:.4g} vs {p:.4g} {unit}), "
                            f"under {PEER_MIN_RATIO:g}")
        rows.append((f"{key} ({unit})", f"{o[0]:.1f}" if o else "-", f"{p:.1f}" if p else "-",
                     f"{ratio:.3f}" if ratio is not None else "-", target,
                     "ok" if ok else "MISS"))

    print(f"gpu-check: {sku['card']} ({sku['node_file']})")
    for n in notes:
        print(f"  {n}")
    for f in failures:
        print(f"FAILED: {f}")
    head = ("figure", "ours", "peer", "ratio", "target", "ok")
    w = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    fmt = f"{{:<{w[0]}}}  {{:>{w[1]}}}  {{:>{w[2]}}}  {{:>{w[3]}}}  {{:<{w[4]}}}  {{}}"
    print()
    print(fmt.format(*head))
    for r in rows:
        print(fmt.format(*r))
    met = sum(r[5] == "ok" for r in rows)
    print(f"gpu-check: {'PASS' if not failures else 'FAIL'} ({met} of {len(rows)} figures on "
          f"target, {len(failures)} failure(s))")
    return 0 if not failures else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("profile", help="write the check's certification profile")
    p.add_argument("--sku", required=True, help="gpucert-sku output for the card")
    p.add_argument("--fast-accum", action="store_true",
                   help="FP8 fast accumulation (when gpucert's gemm has the fast_accum axis)")
    p.add_argument("-o", "--output", default="-", help="profile file (default stdout)")
    t = sub.add_parser("table", help="print the comparison and exit 0 when every target is met")
    t.add_argument("--sku", required=True)
    t.add_argument("--cert", help="certificate.json of the check's certification")
    t.add_argument("--peer", help="ci/torch_peer.py output")
    t.add_argument("--tests", help="the GPU tests' --gtest_output=json report")
    t.add_argument("--telemetry", help="nvidia-smi CSV: index,clocks.sm,clocks.mem,temp,power")
    t.add_argument("--step", action="append", default=[], help="NAME:RC:SECONDS of a step")
    t.add_argument("--allow-simulated", action="store_true", help="for tests: accept SIMULATED")
    args = ap.parse_args()
    try:
        return cmd_profile(args) if args.cmd == "profile" else cmd_table(args)
    except BadInput as e:
        print(f"gpu_check_table: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
