// nccl.<collective> benchmarks: one registration per table entry, axes as `gpucert list` shows
// them, algbw/busbw derived by the harness from each sample's seconds and Work.
#include "harness/benchmarks/catalog.hpp"
#include "harness/collectives/collective.hpp"
#include "harness/core/error.hpp"

#include <fmt/core.h>

namespace gpucert {

namespace {

MetricDef algbw_metric(const coll::Collective& c) {
  return {fmt::format("nccl.{}.algbw_gbps", c.name), "GB/s",
          fmt::format("{} algorithm bandwidth: size / time (nccl-tests algbw)", c.name), true,
          [](double seconds, const Work& w) { return coll::algbw_gbps(w.bytes, seconds); }};
}

// busbw needs the number of ranks, which the target (not the definition) fixes: it comes in
// Work::ranks, set by every collective instance.
MetricDef busbw_metric(const coll::Collective& c) {
  return {fmt::format("nccl.{}.busbw_gbps", c.name), "GB/s",
          fmt::format("{} bus bandwidth: algbw x {} (nccl-tests busbw; 0 with one rank where "
                      "the factor is 0)",
                      c.name, c.factor_text),
          true, [&c](double seconds, const Work& w) {
            if (w.ranks < 1)
              throw InternalError(fmt::format("nccl.{}: busbw without a rank count", c.name));
            return coll::busbw_gbps(c, w.ranks, w.bytes, seconds);
          }};
}

} // namespace

void register_nccl(Registry& r) {
  for (const coll::Collective& c : coll::collectives()) {
    BenchmarkDef d;
    d.name = fmt::format("nccl.{}", c.name);
    d.description = fmt::format("NCCL {} across every GPU of the node (one rank per GPU): {}; "
                                "bytes counted as nccl-tests does, busbw = algbw x {}; every "
                                "rank's output checked exactly",
                                c.name, c.nccl_call, c.factor_text);
    d.scope = Scope::node;
    Axis bytes = bytes_axis("bytes", "1GiB",
                            "message size (nccl-tests size: the larger of the send and receive "
                            "buffers, rounded down to whole elements; split over the ranks, "
                            "each rank's share to a multiple of 16 bytes)");
    bytes.sweep = {"1MiB", "32MiB", "1GiB"};
    d.axes = {bytes,
              choice_axis("dtype", {"float", "half", "bfloat16", "int8"}, "float",
                          "element type (sum for the reducing collectives)"),
              boolean_axis("inplace", "false",
                           "in place (send and receive share a buffer as nccl-tests lays it "
                           "out); not applicable to alltoall and sendrecv"),
              integer_axis("iters", "20", "collectives per sample, timed together"),
              boolean_axis("graph", "false", "capture the iterations in a CUDA graph")};
    // algbw first: the runner's stopping rule reads the first metric, and busbw is 0 for
    // all_reduce/all_gather/reduce_scatter/alltoall with one rank. Both carry the same CI.
    d.metrics = {algbw_metric(c), busbw_metric(c)};
    r.add(std::move(d));
  }
}

} // namespace gpucert
