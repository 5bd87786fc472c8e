// Finding a clause's measurement in a results file: shared by the benchmark and the sibling
// checks, so both read the same measurement of a target (the last one: a rerun supersedes).
#include "harness/evaluate/checks.hpp"

#include <fmt/core.h>

namespace gpucert::evaluate::detail {

namespace {

bool same_target(const Target& a, const Target& b) {
  return a.scope == b.scope && (a.scope == Scope::node || a.gpus == b.gpus);
}

} // namespace

const Measurement* find_measurement(const Results& r, const profile::Clause& c, const Target& t) {
  const Measurement* found = nullptr;
  for (const auto& m : r.measurements)
    if (m.benchmark == c.benchmark && m.params == c.resolved && same_target(m.target, t) &&
        m.concurrency == c.concurrency)
      found = &m;
  return found;
}

std::string not_measured_reason(const Results& r, const profile::Clause& c, const Target& t) {
  for (const auto& m : r.measurements)
    if (m.benchmark == c.benchmark && m.params == c.resolved && same_target(m.target, t))
      return fmt::format("not measured with concurrency {} (the results hold it measured with "
                         "concurrency {}: {})",
                         to_string(c.concurrency), to_string(m.concurrency),
                         m.concurrency == Concurrency::one ? "each target alone"
                                                           : "every target at once");
  return "not measured";
}

std::string params_text(const Params& p) {
  std::string out;
  for (const auto& [k, v] : p)
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", k, v);
  return out;
}

} // namespace gpucert::evaluate::detail
