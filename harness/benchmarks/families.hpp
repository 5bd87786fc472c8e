// The one list of benchmark families. Adding a family is one line here plus its four parts, each
// a file of its own: the definition (harness/benchmarks/<family>.cpp: register_<family>), the
// simulator model (harness/backends/sim/models: add_<family>_models), the CUDA instance
// (harness/backends/cuda: add_<family>_instances) and its kernel (kernels/). Each layer expands
// this list itself, so a part that is missing is a link error, not a silent gap.
#pragma once

#define GPUCERT_BENCHMARK_FAMILIES(X)                                                              \
  X(gemm)                                                                                          \
  X(hbm)                                                                                           \
  X(pcie)                                                                                          \
  X(p2p)                                                                                           \
  X(launch)                                                                                        \
  X(nccl)
