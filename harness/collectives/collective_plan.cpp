// Planning a collective from its parameters (see collective_plan.hpp).
#include "harness/collectives/collective_plan.hpp"

#include "harness/collectives/sweep.hpp"
#include "harness/core/error.hpp"

#include <algorithm>
#include <cstdlib>
#include <fmt/core.h>

namespace gpucert::coll {

namespace {

const std::string& param(const Params& params, const std::string& name, const Collective& c) {
  const auto it = params.find(name);
  if (it == params.end())
    throw InternalError(fmt::format("nccl.{}: parameter '{}' was not resolved", c.name, name));
  return it->second;
}

std::uint64_t whole(const std::string& text, const std::string& name, const Collective& c) {
  try {
    std::size_t pos = 0;
    const unsigned long long v = std::stoull(text, &pos);
    if (pos != text.size())
      throw std::invalid_argument(text);
    return v;
  } catch (const std::exception&) {
    throw InputError(
        fmt::format("nccl.{}: parameter {}='{}' is not a whole number", c.name, name, text));
  }
}

} // namespace

CollectivePlan plan_collective(const Collective& c, const Params& params, int nranks) {
  CollectivePlan p;
  p.coll = &c;
  p.dtype = dtype_from_name(param(params, "dtype", c));
  p.bytes = whole(param(params, "bytes", c), "bytes", c);
  p.inplace = param(params, "inplace", c) == "true";
  p.iters = static_cast<int>(
      std::min<std::uint64_t>(whole(param(params, "iters", c), "iters", c), 1u << 20));
  p.graph = param(params, "graph", c) == "true";
  p.nranks = nranks;
  if (nranks < 1)
    throw InternalError(fmt::format("nccl.{}: {} ranks", c.name, nranks));

  const std::uint64_t count = p.bytes / static_cast<std::uint64_t>(dtype_size(p.dtype));
  p.layout = layout_of(c.kind, count, nranks, p.dtype);
  p.size_bytes = layout_bytes(p.layout, p.dtype);
  p.pattern.kind = c.kind;
  p.pattern.dtype = p.dtype;
  p.pattern.nranks = nranks;
  p.pattern.root = 0;
  p.pattern.param_count = p.layout.param_count;

  if (p.iters < 1)
    p.skip = "iters must be at least 1";
  const bool split = c.kind == CollKind::all_gather || c.kind == CollKind::reduce_scatter ||
                     c.kind == CollKind::alltoall;
  if (p.layout.param_count == 0)
    p.skip = split ? fmt::format("{} of {} is less than {} bytes per rank for {} ranks (each "
                                 "rank's share is rounded down to a multiple of {} bytes, as "
                                 "nccl-tests does)",
                                 format_bytes(p.bytes), dtype_name(p.dtype), kPerRankAlignBytes,
                                 nranks, kPerRankAlignBytes)
                   : fmt::format("{} of {} is less than one element", format_bytes(p.bytes),
                                 dtype_name(p.dtype));
  if (p.inplace && !c.inplace_supported)
    p.skip = fmt::format("in-place {} is not supported: NCCL send and receive buffers of "
                         "ncclSend/ncclRecv must not alias (nccl-tests does not check it either)",
                         c.name);
  return p;
}

Work collective_work(const CollectivePlan& p) {
  Work w;
  w.bytes = static_cast<double>(p.size_bytes) * p.iters;
  w.items = p.iters;
  w.ranks = p.nranks;
  return w;
}

std::uint64_t device_bytes_per_rank(const CollectivePlan& p) {
  const std::uint64_t ts = static_cast<std::uint64_t>(dtype_size(p.dtype));
  const std::uint64_t send = p.layout.send_count * ts, recv = p.layout.recv_count * ts;
  return p.inplace ? std::max(send, recv) : send + recv;
}

double sample_deadline_s(const CollectivePlan& p) {
  if (const char* env = std::getenv("GPUCERT_NCCL_TIMEOUT_S")) {
    char* end = nullptr;
    const double v = std::strtod(env, &end);
    if (end != env && *end == '\0' && v > 0)
      return v;
    throw InputError(
        fmt::format("GPUCERT_NCCL_TIMEOUT_S='{}' is not a number of seconds > 0", env));
  }
  const double wire =
      static_cast<double>(p.size_bytes) * std::max(1.0, p.coll->busbw_factor(p.nranks));
  return 60.0 + p.iters * wire / 1e9;
}

nlohmann::json plan_evidence(const CollectivePlan& p) {
  nlohmann::json j{{"collective", p.coll->name},
                   {"nccl_call", p.coll->nccl_call},
                   {"ranks", p.nranks},
                   {"dtype", dtype_name(p.dtype)},
                   {"inplace", p.inplace},
                   {"graph", p.graph},
                   {"iters_per_sample", p.iters},
                   {"bytes_requested", p.bytes},
                   {"size_bytes", p.size_bytes},
                   {"count", p.layout.param_count},
                   {"busbw_factor", p.coll->busbw_factor(p.nranks)},
                   {"busbw_factor_formula", p.coll->factor_text},
                   {"root", p.coll->rooted ? nlohmann::json(0) : nlohmann::json(nullptr)}};
  if (p.nranks == 1)
    j["note"] = fmt::format("one rank: busbw factor {} = {} by nccl-tests' definition; algbw is "
                            "a local copy figure, nothing crosses a link",
                            p.coll->factor_text, p.coll->busbw_factor(1));
  return j;
}

} // namespace gpucert::coll
