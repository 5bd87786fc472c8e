#!/usr/bin/env python3
"""The device check's peer: the figures gpucert measures, measured through PyTorch on the same card.

ci/gpu-check.sh compares each with gpucert's reading in the same run (ci/gpu_check_table.py);
the two must count the same work over the same kind of interval, so each figure copies
gpucert's configuration and counting (harness/backends/cuda/BENCHMARKS.md):

  gemm.bf16  torch.matmul(a, b.t()), 8192^3, bf16 in and out, fp32 accumulation: cuBLAS sees
             the "tn" layout of gpucert's gemm (its default). 2*m*n*k flops per GEMM.
  gemm.fp8   torch._scaled_mm, e4m3 inputs, bf16 out, unit scales, use_fast_accum=True (the
             shipped fp8 clauses' fast_accum), "tn" as fp8 requires. 2*m*n*k flops.
  hbm.copy   y.copy_(x) of a 1 GiB array (about 20x an H100's 50 MB L2, so neither source nor
             destination stays in L2); bytes read + bytes written = 2 x 1 GiB per copy, as
             gpucert counts copy (bytes x arrays).
  pcie.h2d   one 256 MiB copy from page-locked host memory (pin_memory) per sample; bytes
  pcie.d2h   moved once. gpucert binds its host buffer to the GPU's NUMA node; PyTorch does
             not, which only matters on a host with several sockets.

Timing: CUDA events around a batch of back-to-back operations (a GEMM batch fills about 20 ms,
copies about 8 GB per sample, as gpucert's samples do), every sample queued before the first
is waited for, so host launch gaps stay out; warm-up first; the median over the samples.
Inputs are random (never zeros, which run faster on tensor cores) and every result is checked
before its figure is reported: GEMM rows against an fp64 product of the same inputs, copies
element for element.

Prints one JSON document (schema gpucert/torch-peer/v1) on stdout. Exit: 0 all figures
measured and checked; 1 a result was wrong or a figure could not be measured (the JSON has the
others and an "errors" list); 2 usage; 3 no PyTorch or no CUDA GPU. Takes about 20-40 s on an
H100 (most of it PyTorch's start and cuBLAS's first calls).
"""
import argparse
import json
import math
import statistics
import sys
import time

GIB = 1 << 30
MIB = 1 << 20


def die(code, msg):
    print(f"torch_peer: {msg}", file=sys.stderr)
    sys.exit(code)


def median_seconds(torch, fn, per_sample, samples, warmup):
    """Seconds per sample (each `per_sample` calls of fn), all queued, then waited for once."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    events = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True))
              for _ in range(samples)]
    for start, stop in events:
        start.record()
        for _ in range(per_sample):
            fn()
        stop.record()
    torch.cuda.synchronize()
    secs = [start.elapsed_time(stop) * 1e-3 for start, stop in events]
    return statistics.median(secs), secs


def rows_error(torch, got, a_rows, b):
    """max |got - ref| / max |ref| over the rows of a_rows @ b.T computed in fp64."""
    ref = a_rows.double() @ b.double().t()
    scale = ref.abs().max().item()
    err = (got.double() - ref).abs().max().item()
    if not math.isfinite(err):
        return float("inf")
    return err / scale if scale > 0 else err


def gemm_figures(torch, dev, n, samples, out, errors):
    rows = 64  # rows checked against fp64: 64 x n x n multiply-adds, negligible beside one GEMM
    a = (torch.rand(n, n, device=dev) * 2 - 1).to(torch.bfloat16)
    b = (torch.rand(n, n, device=dev) * 2 - 1).to(torch.bfloat16)
    c = torch.empty(n, n, device=dev, dtype=torch.bfloat16)
    flops = 2.0 * n * n * n

    def bf16():
        torch.matmul(a, b.t(), out=c)

    c.fill_(float("nan"))
    bf16()
    err = rows_error(torch, c[:rows], a[:rows], b)
    # bf16 output: relative rounding 2^-8 of each element, far under a wrong element (~1).
    if not err < 2e-2:
        errors.append(f"gemm.bf16: rows of torch.matmul differ from fp64 by {err:.3g} of the "
                      f"largest element (allowed 2e-2)")
    else:
        per_gemm = median_seconds(torch, bf16, 1, 3, 2)[0]
        batch = max(1, min(64, round(0.02 / per_gemm)))
        med, secs = median_seconds(torch, bf16, batch, samples, 3)
        out["gemm.bf16"] = {"value": flops * batch / med / 1e12, "unit": "TFLOP/s",
                            "config": f"torch.matmul bf16 {n}x{n}x{n} tn, {batch} per sample",
                            "samples_s": secs}

    if not hasattr(torch, "_scaled_mm") or not hasattr(torch, "float8_e4m3fn"):
        errors.append(f"gemm.fp8: this PyTorch ({torch.__version__}) has no torch._scaled_mm")
        return
    a8 = (torch.rand(n, n, device=dev) * 2 - 1).to(torch.float8_e4m3fn)
    # (n, k) row-major, so b8.t() is the column-major (k, n) operand _scaled_mm requires.
    b8 = (torch.rand(n, n, device=dev) * 2 - 1).to(torch.float8_e4m3fn)
    one = torch.ones((), device=dev, dtype=torch.float32)
    del a, b, c

    def fp8():
        d = torch._scaled_mm(a8, b8.t(), scale_a=one, scale_b=one, out_dtype=torch.bfloat16,
                             use_fast_accum=True)
        return d[0] if isinstance(d, tuple) else d  # PyTorch < 2.4 also returned amax

    try:
        d = fp8()
    except (RuntimeError, TypeError) as e:
        errors.append(f"gemm.fp8: torch._scaled_mm failed: {e}")
        return
    err = rows_error(torch, d[:rows], a8[:rows].float(), b8.float())
    # Fast accumulation keeps ~14 bits and may truncate every 32-deep step (BENCHMARKS.md).
    if not err < 5e-2:
        errors.append(f"gemm.fp8: rows of torch._scaled_mm differ from fp64 by {err:.3g} of the "
                      f"largest element (allowed 5e-2)")
        return
    del d
    per_gemm = median_seconds(torch, fp8, 1, 3, 2)[0]
    batch = max(1, min(64, round(0.02 / per_gemm)))
    med, secs = median_seconds(torch, fp8, batch, samples, 3)
    out["gemm.fp8"] = {"value": flops * batch / med / 1e12, "unit": "TFLOP/s",
                       "config": f"torch._scaled_mm e4m3 -> bf16 {n}x{n}x{n} tn, unit scales, "
                                 f"use_fast_accum=True, {batch} per sample",
                       "samples_s": secs}


def hbm_copy(torch, dev, array_bytes, samples, out, errors):
    x = torch.randint(-2**31, 2**31 - 1, (array_bytes // 4,), device=dev, dtype=torch.int32)
    y = torch.full_like(x, -1)
    passes = max(1, math.ceil(8e9 / (2 * array_bytes)))  # about 8 GB per sample, as gpucert
    med, secs = median_seconds(torch, lambda: y.copy_(x), passes, samples, 2)
    if not torch.equal(x, y):
        errors.append("hbm.copy: the destination differs from the source after copy_")
        return
    out["hbm.copy"] = {"value": 2.0 * array_bytes * passes / med / 1e9, "unit": "GB/s",
                       "config": f"copy_ of {array_bytes // MIB} MiB int32, bytes read + written, "
                                 f"{passes} per sample",
                       "samples_s": secs}


def pcie(torch, dev, nbytes, samples, out, errors):
    n = nbytes // 4
    host_src = torch.randint(-2**31, 2**31 - 1, (n,), dtype=torch.int32).pin_memory()
    host_dst = torch.full((n,), -1, dtype=torch.int32).pin_memory()
    dev_buf = torch.full((n,), -1, device=dev, dtype=torch.int32)
    cfg = f"{nbytes // MIB} MiB, pinned host memory, copy engine, one copy per sample"
    med, secs = median_seconds(torch, lambda: dev_buf.copy_(host_src, non_blocking=True), 1,
                               samples, 2)
    if not torch.equal(dev_buf.cpu(), host_src):
        errors.append("pcie.h2d: the device buffer differs from the host source")
    else:
        out["pcie.h2d"] = {"value": nbytes / med / 1e9, "unit": "GB/s", "config": cfg,
                           "samples_s": secs}
    dev_src = torch.randint(-2**31, 2**31 - 1, (n,), device=dev, dtype=torch.int32)
    med, secs = median_seconds(torch, lambda: host_dst.copy_(dev_src, non_blocking=True), 1,
                               samples, 2)
    if not torch.equal(host_dst, dev_src.cpu()):
        errors.append("pcie.d2h: the host buffer differs from the device source")
    else:
        out["pcie.d2h"] = {"value": nbytes / med / 1e9, "unit": "GB/s", "config": cfg,
                           "samples_s": secs}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", type=int, default=0, help="CUDA device index (default 0)")
    ap.add_argument("--samples", type=int, default=20, help="timed samples per figure (>= 5)")
    ap.add_argument("--n", type=int, default=8192, help="GEMM size m = n = k (multiple of 16)")
    ap.add_argument("--hbm-bytes", type=int, default=GIB, help="HBM copy array size in bytes")
    ap.add_argument("--pcie-bytes", type=int, default=256 * MIB, help="PCIe copy size in bytes")
    ap.add_argument("--only", default="", help="comma-separated figures (default: all)")
    args = ap.parse_args()
    if args.samples < 5 or args.n <= 0 or args.n % 16 or args.hbm_bytes < 4 * MIB \
            or args.hbm_bytes % 16 or args.pcie_bytes <= 0 or args.pcie_bytes % 16:
        die(2, "--samples >= 5; --n a positive multiple of 16; sizes positive multiples of 16")
    figures = ["gemm.bf16", "gemm.fp8", "hbm.copy", "pcie.h2d", "pcie.d2h"]
    only = [f for f in args.only.split(",") if f] or figures
    unknown = [f for f in only if f not in figures]
    if unknown:
        die(2, f"--only: unknown figure(s) {', '.join(unknown)} (known: {', '.join(figures)})")

    try:
        import torch
    except ImportError as e:
        die(3, f"PyTorch is not installed for {sys.executable} ({e}): no peer figures")
    if not torch.cuda.is_available():
        die(3, f"PyTorch {torch.__version__} sees no CUDA GPU (torch.cuda.is_available() is "
               f"False): no peer figures")
    if args.device >= torch.cuda.device_count():
        die(3, f"--device {args.device}: PyTorch sees {torch.cuda.device_count()} GPU(s)")
    dev = torch.device("cuda", args.device)
    torch.cuda.set_device(dev)
    props = torch.cuda.get_device_properties(dev)
    t0 = time.monotonic()
    out, errors = {}, []
    steps = [
        (("gemm.bf16", "gemm.fp8"), lambda: gemm_figures(torch, dev, args.n, args.samples, out,
                                                         errors)),
        (("hbm.copy",), lambda: hbm_copy(torch, dev, args.hbm_bytes, args.samples, out, errors)),
        (("pcie.h2d", "pcie.d2h"), lambda: pcie(torch, dev, args.pcie_bytes, args.samples, out,
                                                errors)),
    ]
    for names, step in steps:
        if not any(n in only for n in names):
            continue
        try:
            step()
        except RuntimeError as e:  # CUDA errors and out-of-memory are RuntimeErrors
            errors.append(f"{'/'.join(names)}: {type(e).__name__}: {e}")
        torch.cuda.empty_cache()
    figs = {k: v for k, v in out.items() if k in only}
    said = {k for k in only for e in errors if k in e.split(": ", 1)[0]}
    errors += [f"{k}: not measured" for k in only if k not in figs and k not in said]
    doc = {
        "schema": "gpucert/torch-peer/v1",
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "device": {"index": args.device, "name": props.name,
                   "sm_count": props.multi_processor_count,
                   "memory_bytes": props.total_memory},
        "samples": args.samples,
        "seconds": round(time.monotonic() - t0, 1),
        "figures": figs,
        "errors": errors,
    }
    print(json.dumps(doc, indent=1))
    for e in errors:
        print(f"torch_peer: {e}", file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
