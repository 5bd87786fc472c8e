#!/usr/bin/env python3
"""Checks an HTML report as a browser rendered it (the DOM Chromium dumped, its screenshot and its
console) against the certificate's checks (gpucert report --format json-full).

usage: html_check.py DOM.html SCREENSHOT.png CONSOLE.log CHECKS.json
       html_check.py --lot DOM.html SCREENSHOT.png CONSOLE.log LOT.json   (gpucert fleet's lot.html)
Prints one line per problem and exits 1 when there is any."""
import json
import struct
import sys
import zlib
from html.parser import HTMLParser


class Page(HTMLParser):
    """The headline, and per clause block (section.clause) its id and whether it holds a chart."""

    def __init__(self):
        super().__init__()
        self.h1, self.clauses = "", {}
        self._in, self._h3, self._clause, self._depth = None, "", None, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            if self._depth or "clause" in (a.get("class") or "").split():
                self._depth += 1
        if tag in ("h1", "h3"):
            self._in, self._h3 = tag, ""
        if tag == "svg" and self._depth and self._clause:
            self.clauses[self._clause].add("svg")

    def handle_endtag(self, tag):
        if tag == "h3" and self._in == "h3" and self._depth:
            words = self._h3.split()  # "VERDICT clause-id"
            self._clause = words[-1] if words else ""
            self.clauses.setdefault(self._clause, set())
        if tag == self._in:
            self._in = None
        if tag == "section" and self._depth:
            self._depth -= 1
            if not self._depth:
                self._clause = None

    def handle_data(self, data):
        if self._in == "h1":
            self.h1 += data
        elif self._in == "h3":
            self._h3 += data


def outcome(checks, complete):
    verdicts = [c["verdict"] for c in checks]
    if not complete or "FAIL" in verdicts or "ERROR" in verdicts:
        return "NOT CERTIFIED"
    if "INCONCLUSIVE" in verdicts:
        return "INCONCLUSIVE"
    return "CERTIFIED" if "PASS" in verdicts else "NOT CERTIFIED"


def png_ink(path):
    """Fraction of the screenshot's decoded bytes that are not white (0xff) or a row's filter."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return 0.0
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    ink = sum(1 for b in raw[::7] if b not in (0xFF, 0x00, 0x01, 0x02, 0x03, 0x04))
    return ink / max(1, len(raw[::7]))


def main():
    lot_mode = sys.argv[1] == "--lot"
    dom_path, png_path, console_path, data_path = sys.argv[2:6] if lot_mode else sys.argv[1:5]
    problems = []
    data = json.load(open(data_path))
    page = Page()
    page.feed(open(dom_path, encoding="utf-8").read())
    headline = " ".join(page.h1.split())
    charted = {}
    if lot_mode:
        # The lot's outcome as lot.json states it; a histogram wherever the values spread.
        want = data["outcome"]
        for c in data["clauses"]:
            d = c.get("distribution")
            if d and d["min"] != d["max"]:
                charted[c["id"]] = True
    else:
        want = outcome(data["checks"], data["results"]["complete"])
        for c in data["checks"]:
            numeric = c.get("value") is not None and c.get("observed") is None
            if c["kind"] == "benchmark" and c["scope"] in ("gpu", "gpu-pair") and numeric:
                charted[c["clause_id"]] = True
    if not headline.startswith(want) or (want == "CERTIFIED" and headline.startswith("NOT")):
        problems.append(f"headline '{headline}' disagrees with the checks, which give {want}")
    for clause in sorted(charted):
        if clause not in page.clauses:
            problems.append(f"no block for the performance clause {clause}")
        elif "svg" not in page.clauses[clause]:
            problems.append(f"no chart for the performance clause {clause}")
    errors = [l for l in open(console_path, errors="replace") if "CONSOLE" in l]
    problems += [f"console: {l.strip()}" for l in errors]
    ink = png_ink(png_path)
    if ink < 0.005:
        problems.append(f"the screenshot is blank ({ink:.4f} of it drawn)")
    for p in problems:
        print(f"html_check: {p}")
    if not problems:
        print(f"html_check: ok: headline '{headline}', {len(charted)} performance clauses charted, "
              f"screenshot {ink:.3f} drawn, no console message")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
