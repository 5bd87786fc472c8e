#!/usr/bin/env python3
"""Mutation testing: does the CPU test tier catch small, plausible bugs?

Each mutation in the catalogue (ci/mutations.toml) replaces one exact piece of text in one file.
The tool applies it to a scratch copy of the tree, rebuilds incrementally, runs the CPU tier and
reports whether a test failed (caught) or not (survived).

The scratch copy is an overlay: inside a private mount namespace the source tree, build tree
included, is covered by an overlayfs whose upper layer is an empty temporary directory. The
mutation and every file the rebuild writes land in that layer and vanish with the namespace, so
the real tree is never touched and each mutant starts from the already-built tree (one compile
and a few links, not a cold build). It needs root (CI and the development machines run as root)
and overlayfs. With --snapshot the overlay's lower layer is the committed tree (HEAD) with a copy
of the build tree, brought up to date once before the mutants run: uncommitted edits, and edits
made while the run goes on, do not leak into it.

Usage:
  ci/mutate.py                      every mutation (the full table)
  ci/mutate.py --sample 4 --seed 7  four mutations drawn with seed 7 (what CI runs)
  ci/mutate.py --only ID [ID ...]   the named mutations
  ci/mutate.py --check              only check the catalogue against the tree (fast)
  ci/mutate.py --list               the catalogue as a table
  ci/mutate.py --snapshot --report mutation.md   a full run while you keep editing

Exit status: 0 when the score reaches --min-score (default 0.90) and every survivor is marked
`equivalent` in the catalogue with its reason; 1 otherwise; 2 for a catalogue that does not
match the tree (a stale mutation names text that is no longer there exactly once).
"""

from __future__ import annotations

import argparse
import dataclasses
import fcntl
import json
import os
import random
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass
class Mutation:
    id: str
    area: str
    file: str
    find: str
    replace: str
    what: str
    tests: str = ""  # ctest -R regex of the tests expected to catch it (run first)
    equivalent: str = ""  # why the mutant cannot be told apart (explains a survivor)


@dataclasses.dataclass
class Result:
    id: str
    status: str  # caught | survived | build-failed | timeout
    by: str = ""  # the first failing test
    seconds: float = 0.0
    hinted: bool = False  # caught by the catalogue's own tests


def load(path: Path) -> list[Mutation]:
    with path.open("rb") as f:
        doc = tomllib.load(f)
    out = []
    seen = set()
    for i, m in enumerate(doc.get("mutation", [])):
        try:
            mut = Mutation(**m)
        except TypeError as e:
            sys.exit(f"{path}: mutation #{i + 1}: {e}")
        if mut.id in seen:
            sys.exit(f"{path}: mutation id '{mut.id}' appears twice")
        seen.add(mut.id)
        out.append(mut)
    return out


def check(muts: list[Mutation], root: Path) -> list[str]:
    problems = []
    for m in muts:
        p = root / m.file
        if not p.is_file():
            problems.append(f"{m.id}: {m.file} does not exist")
            continue
        n = p.read_text().count(m.find)
        if n != 1:
            problems.append(f"{m.id}: the text to replace occurs {n} times in {m.file} (need 1)")
        if m.find == m.replace:
            problems.append(f"{m.id}: find and replace are the same")
    return problems


def sh(cmd: list[str], cwd: Path, timeout: float, log: Path) -> int:
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        try:
            return subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                  timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            out.write(b"\n(timed out)\n")
            return 124


def first_failure(build: Path) -> str:
    """The first test ctest recorded as failed in its last run."""
    f = build / "Testing" / "Temporary" / "LastTestsFailed.log"
    if f.is_file():
        for line in f.read_text().splitlines():
            if ":" in line:
                return line.split(":", 1)[1].strip()
    return "?"


def ctest(build: Path, regex: str, args, log: Path, stop: bool = True) -> tuple[int, str]:
    cmd = ["ctest", "--test-dir", str(build), "-LE", "gpu", "-j", str(args.jobs),
           "--output-on-failure",
           "--timeout", str(args.test_timeout), "-E", args.exclude]
    if stop:  # a mutant is caught at its first failing test; the baseline reports them all
        cmd.append("--stop-on-failure")
    if regex:
        cmd += ["-R", regex]
    rc = sh(cmd, ROOT, args.mutant_timeout, log)
    return rc, (first_failure(build) if rc != 0 else "")


def run_mutant(m: Mutation | None, build: Path, args, log: Path) -> Result:
    """Applies m (None: the baseline) to the tree seen here, rebuilds `build`, runs the tests."""
    t0 = time.monotonic()
    if m:
        target = ROOT / m.file
        text = target.read_text()
        if text.count(m.find) != 1:  # the tree this runs on is not the one --check saw
            return Result(m.id, "build-failed", "stale: the text to replace is not there once")
        target.write_text(text.replace(m.find, m.replace, 1))
    name = m.id if m else "baseline"
    rc = sh(["cmake", "--build", str(build), "-j", str(args.jobs)], ROOT, args.build_timeout, log)
    if rc != 0:
        return Result(name, "build-failed", seconds=time.monotonic() - t0)
    if m and m.tests:
        rc, by = ctest(build, m.tests, args, log)
        if rc != 0:
            status = "timeout" if rc == 124 else "caught"
            return Result(name, status, by, time.monotonic() - t0, hinted=True)
    rc, by = ctest(build, "", args, log, stop=m is not None)
    if rc != 0:
        return Result(name, "timeout" if rc == 124 else "caught", by, time.monotonic() - t0)
    return Result(name, "survived", seconds=time.monotonic() - t0)


def child_main(args) -> None:
    """Runs inside `unshare -m`: overlay the tree, run one mutant, print its result as JSON."""
    muts = {m.id: m for m in load(args.catalogue)}
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    # A mutant runs as root and may break a guard that keeps gpucert off device files (a test
    # then writes through to `/dev/null` and replaces it): /dev is read-only in here. Writing
    # to a device still works; creating, renaming or removing entries there does not.
    # (/dev/shm and the other mounts below /dev stay writable.)
    subprocess.run(["mount", "--rbind", "/dev", "/dev"], check=True)
    subprocess.run(["mount", "-o", "remount,bind,ro", "/dev"], check=True)
    if args.snapshot_dir:
        subprocess.run(["mount", "--bind", args.snapshot_dir, str(ROOT)], check=True)
    if args.child == "prepare":  # bring the snapshot's own build tree up to date, in place
        rc = sh(["cmake", "--build", str(args.build), "-j", str(args.jobs)], ROOT,
                4 * args.build_timeout, Path(args.log))
        print(json.dumps(dataclasses.asdict(Result("prepare", "ok" if rc == 0 else "build-failed"))))
        return
    m = None if args.child == "baseline" else muts[args.child]
    upper = Path(args.upper)
    (upper / "u").mkdir()
    (upper / "w").mkdir()
    subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                    f"lowerdir={ROOT},upperdir={upper / 'u'},workdir={upper / 'w'}", str(ROOT)],
                   check=True)
    r = run_mutant(m, args.build, args, Path(args.log))
    print(json.dumps(dataclasses.asdict(r)))


def take_snapshot(snap: Path, build: Path) -> None:
    """HEAD's files, the repository, .deps and a copy of `build` in `snap`. A file whose content equals
    the working tree's keeps the working tree's mtime (so the copied build tree stays up to date
    for it); any other gets the current time, so the next build compiles it."""
    snap.mkdir()
    archive = subprocess.Popen(["git", "archive", "HEAD"], cwd=ROOT, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(snap)], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise SystemExit("git archive HEAD failed")
    now = time.time()
    tracked = subprocess.run(["git", "ls-tree", "-r", "-z", "--name-only", "HEAD"], cwd=ROOT,
                             capture_output=True, check=True).stdout.decode().split("\0")
    for f in filter(None, tracked):
        copy, live = snap / f, ROOT / f
        if copy.is_symlink() or not copy.is_file():
            continue
        same = live.is_file() and not live.is_symlink() and live.read_bytes() == copy.read_bytes()
        t = live.stat().st_mtime if same else now
        os.utime(copy, (t, t))
    # Besides the repository and the build tree, what ci/setup.sh installs into the tree (.deps).
    for sub in (".git", ".deps", str(build.relative_to(ROOT))):
        if not (ROOT / sub).exists():
            continue
        (snap / sub).parent.mkdir(parents=True, exist_ok=True)
        tar = subprocess.Popen(["tar", "-C", str(ROOT), "-cf", "-", sub], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-C", str(snap), "-xpf", "-"], stdin=tar.stdout, check=True)
        tar.wait()


def overlay_works() -> bool:
    with tempfile.TemporaryDirectory(prefix="gpucert-ovl-") as d:
        for sub in ("l", "u", "w", "m"):
            os.mkdir(os.path.join(d, sub))
        rc = subprocess.run(["unshare", "-m", "mount", "-t", "overlay", "overlay", "-o",
                             f"lowerdir={d}/l,upperdir={d}/u,workdir={d}/w", f"{d}/m"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        return rc == 0


def table(muts: list[Mutation], results: dict[str, Result]) -> str:
    lines = ["| id | area | file | mutation | result | caught by | s |",
             "|---|---|---|---|---|---|---|"]
    for m in muts:
        r = results.get(m.id)
        if not r:
            continue
        res = r.status if r.status != "survived" or not m.equivalent else "survived (equivalent)"
        by = r.by + ("" if r.hinted or not r.by else " (outside its hint)")
        lines.append(f"| {m.id} | {m.area} | {m.file} | {m.what} | {res} | {by} | "
                     f"{r.seconds:.0f} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    ap.add_argument("--catalogue", type=Path, default=ROOT / "ci" / "mutations.toml")
    ap.add_argument("--build", type=Path, default=ROOT / "build" / "default",
                    help="an already configured build tree inside the source tree")
    ap.add_argument("--only", nargs="+", metavar="ID")
    ap.add_argument("--sample", type=int, metavar="N", help="N mutations drawn at random")
    ap.add_argument("--seed", type=int, default=None, help="seed of --sample (printed)")
    ap.add_argument("--check", action="store_true", help="only check the catalogue")
    ap.add_argument("--list", action="store_true", help="print the catalogue")
    ap.add_argument("--snapshot", action="store_true",
                    help="run on the committed tree (HEAD) and a copy of the build tree, taken at "
                         "the start (keep editing meanwhile)")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("GPUCERT_JOBS", "2")))
    ap.add_argument("--min-score", type=float, default=0.90)
    ap.add_argument("--exclude", default="^script\\.(packages|install_without_cuda)$",
                    help="ctest -E regex: slow tests that test packaging, not logic")
    ap.add_argument("--test-timeout", type=int, default=120, help="seconds per test")
    ap.add_argument("--mutant-timeout", type=int, default=900, help="seconds per ctest run")
    ap.add_argument("--build-timeout", type=int, default=900)
    ap.add_argument("--report", type=Path, help="write the table (Markdown) here")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--upper", help=argparse.SUPPRESS)
    ap.add_argument("--log", help=argparse.SUPPRESS)
    ap.add_argument("--snapshot-dir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.build = args.build.resolve()

    if args.child:
        child_main(args)
        return 0

    muts = load(args.catalogue)
    problems = check(muts, ROOT)
    if problems:
        print(f"{args.catalogue}: {len(problems)} mutation(s) do not match the tree:",
              file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 2
    if args.list:
        for m in muts:
            print(f"{m.id:32} {m.area:12} {m.file}: {m.what}")
        return 0
    if args.check:
        print(f"{len(muts)} mutations match the tree")
        return 0

    chosen = muts
    if args.only:
        unknown = set(args.only) - {m.id for m in muts}
        if unknown:
            print(f"unknown mutation id(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        chosen = [m for m in muts if m.id in args.only]
    elif args.sample:
        seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
        print(f"sample of {args.sample} drawn with --seed {seed}")
        chosen = random.Random(seed).sample(muts, min(args.sample, len(muts)))

    if not (args.build / "build.ninja").is_file() and not (args.build / "Makefile").is_file():
        print(f"{args.build}: not a configured build tree (run ci/test.sh first)", file=sys.stderr)
        return 2
    try:
        args.build.relative_to(ROOT)
    except ValueError:
        print(f"{args.build}: the build tree must lie inside {ROOT}", file=sys.stderr)
        return 2

    logdir = Path(tempfile.mkdtemp(prefix="gpucert-mutate-"))
    print(f"logs in {logdir}")
    # The tree must build before anything is mutated, or every mutant reads "build-failed".
    base_log = logdir / "baseline.log"
    # Builds of this tree by anyone else wait on the same lock (docs/testing.md).
    lock = open(os.environ.get("GPUCERT_BUILD_LOCK", "/tmp/gpucert-build.lock"), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    if not args.snapshot and sh(["cmake", "--build", str(args.build), "-j", str(args.jobs)], ROOT,
                                args.build_timeout, base_log) != 0:
        print(f"the unmutated tree does not build: {base_log}", file=sys.stderr)
        return 2
    if not overlay_works():
        print("overlayfs cannot be mounted here (needs root and a kernel with overlayfs); "
              "mutation testing needs it", file=sys.stderr)
        return 2
    snapshot = None
    if args.snapshot:
        snapshot = logdir / "snapshot"
        t0 = time.monotonic()
        take_snapshot(snapshot, args.build)
        print(f"snapshot of HEAD and {args.build.relative_to(ROOT)} taken "
              f"({time.monotonic() - t0:.0f} s)", flush=True)
        lock.close()  # the run reads only the snapshot from here on
        problems = check(chosen, snapshot)
        if problems:
            print("the catalogue does not match HEAD (commit the code it names):", file=sys.stderr)
            for p in problems:
                print("  " + p, file=sys.stderr)
            return 2

    def child(name: str, log: Path) -> Result | None:
        upper = tempfile.mkdtemp(prefix="upper-", dir=logdir)
        cmd = ["unshare", "-m", sys.executable, __file__, "--child", name, "--upper", upper,
               "--log", str(log), "--build", str(args.build), "--catalogue",
               str(args.catalogue), "--jobs", str(args.jobs), "--exclude", args.exclude,
               "--test-timeout", str(args.test_timeout),
               "--mutant-timeout", str(args.mutant_timeout),
               "--build-timeout", str(args.build_timeout)]
        if snapshot:
            cmd += ["--snapshot-dir", str(snapshot)]
        p = subprocess.run(cmd, capture_output=True, text=True)
        shutil.rmtree(upper, ignore_errors=True)
        if p.returncode != 0 or not p.stdout.strip():
            print(f"the scratch run of {name} failed:\n{p.stderr}", file=sys.stderr)
            return None
        return Result(**json.loads(p.stdout.strip().splitlines()[-1]))

    if snapshot:
        prep = child("prepare", base_log)
        if prep is None or prep.status != "ok":
            print(f"the snapshot of HEAD does not build: {base_log}", file=sys.stderr)
            return 2
    base = child("baseline", base_log)
    if base is None:
        return 2
    if base.status != "survived":
        print(f"the unmutated tree fails its tests ({base.status}: {base.by}); fix that first: "
              f"{base_log}", file=sys.stderr)
        return 2
    print(f"baseline passes ({base.seconds:.0f} s)", flush=True)

    results: dict[str, Result] = {}
    for i, m in enumerate(chosen, 1):
        print(f"[{i}/{len(chosen)}] {m.id}: {m.what} ... ", end="", flush=True)
        r = child(m.id, logdir / f"{m.id}.log")
        if r is None:
            return 2
        results[m.id] = r
        print(f"{r.status}{' by ' + r.by if r.by else ''} ({r.seconds:.0f} s)", flush=True)
        if not stat.S_ISCHR(os.stat("/dev/null").st_mode):  # a tripwire, see child_main
            print(f"/dev/null is no longer a device after {m.id}: restore it with "
                  "`rm /dev/null && mknod -m 666 /dev/null c 1 3`", file=sys.stderr)
            return 2
    if snapshot:
        shutil.rmtree(snapshot, ignore_errors=True)

    viable = [r for r in results.values() if r.status != "build-failed"]
    caught = [r for r in viable if r.status in ("caught", "timeout")]
    survivors = [r for r in viable if r.status == "survived"]
    unexplained = [r for r in survivors if not next(m for m in muts if m.id == r.id).equivalent]
    broken = [r for r in results.values() if r.status == "build-failed"]
    score = len(caught) / len(viable) if viable else 1.0
    text = table(chosen, results)
    summary = (f"{len(caught)} of {len(viable)} mutants caught ({100 * score:.1f} %); "
               f"{len(survivors)} survived ({len(survivors) - len(unexplained)} marked equivalent)"
               + (f"; {len(broken)} did not build (fix the catalogue)" if broken else ""))
    print("\n" + text + "\n\n" + summary)
    if args.report:
        args.report.write_text(text + "\n\n" + summary + "\n")
    for r in unexplained:
        m = next(m for m in muts if m.id == r.id)
        print(f"SURVIVED: {m.id} ({m.file}: {m.what}): no test fails", file=sys.stderr)
    if broken:
        return 1
    if unexplained or (not args.sample and not args.only and score < args.min_score):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
