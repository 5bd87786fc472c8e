#!/usr/bin/env python3
"""Checks every #include of the project against the layer graph the build declares.

The build links each layer only to the layers below it, which turns a call against the arrows
into a link error; this check covers what the linker cannot see (header-only uses). It reads
layers.txt, which CMake writes as "name|dir,dir|dep,dep" lines, and exits 1 listing each
include from a layer to one it may not use (directly or through its dependencies).

usage: check-layers.py SOURCE_DIR LAYERS_TXT
"""
import os
import re
import sys


def main(src, layers_txt):
    layers = {}
    for line in open(layers_txt):
        line = line.strip()
        if not line:
            continue
        name, dirs, deps = line.split("|")
        layers[name] = ([d for d in dirs.split(",") if d], [d for d in deps.split(",") if d])

    def layer_of(path):
        # The deepest declared folder that holds the file (backends/sim before backends).
        best, best_len = None, -1
        for name, (dirs, _) in layers.items():
            for d in dirs:
                if os.path.dirname(path) == d and len(d) > best_len:
                    best, best_len = name, len(d)
        return best

    reach = {}

    def reachable(name):
        if name not in reach:
            out = set()
            for dep in layers[name][1]:
                out.add(dep)
                out |= reachable(dep)
            reach[name] = out
        return reach[name]

    include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
    bad = []
    for name, (dirs, _) in layers.items():
        for d in dirs:
            full = os.path.join(src, d)
            if not os.path.isdir(full):
                continue
            for f in sorted(os.listdir(full)):
                if not f.endswith((".cpp", ".hpp", ".cu", ".cuh")):
                    continue
                rel = os.path.join(d, f)
                if layer_of(rel) != name:
                    continue
                for inc in include.findall(open(os.path.join(src, rel), errors="replace").read()):
                    target = layer_of(inc)
                    if target is None or target == name or target in reachable(name):
                        continue
                    bad.append(f"{rel}: includes {inc} ({name} may not use {target})")
    for b in bad:
        print(b)
    print(f"check-layers: {len(layers)} layers, {len(bad)} include(s) against the arrows")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
