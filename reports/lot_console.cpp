// The lot summary `gpucert fleet` prints: short enough for a terminal at 10,000 nodes.
#include "reports/format.hpp"
#include "reports/lot_render.hpp"

#include <cmath>
#include <fmt/core.h>

namespace gpucert::report {

std::string render_lot_console(const LotCertificate& lot) {
  constexpr std::size_t kShown = 8;
  std::string o;
  if (lot.simulated)
    o += fmt::format("{}\n", kSimulatedStamp);
  o += fmt::format("lot of {} nodes · profile {} · lot sha256 {}\n", lot.nodes_offered,
                   lot.profile_name.empty() ? "(several)" : lot.profile_name,
                   lot.lot_sha256.substr(0, 16));
  o += fmt::format("  {}\n", lot.capacity);
  o += fmt::format("  nodes: {} certified, {} not certified, {} inconclusive, {} unreadable{}\n",
                   lot.nodes_certified, lot.nodes_not_certified, lot.nodes_inconclusive,
                   lot.nodes_unreadable,
                   lot.nodes_unverified > 0 ? fmt::format(", {} unverified", lot.nodes_unverified)
                                            : std::string());
  if (lot.sample)
    o += fmt::format("  sample of {} from a lot of {}: at most {} defective nodes ({:.2f} %) at "
                     "{:g} % confidence\n",
                     lot.sample->sampled, lot.sample->lot_size, lot.sample->max_defective_nodes,
                     lot.sample->max_defective_fraction * 100, lot.sample->confidence * 100);
  for (const auto& n : lot.notes)
    o += fmt::format("  note: {}\n", n);
  for (const auto& c : lot.lot_clauses)
    o += fmt::format("  {:<13} {} {}{}\n", to_string(c.verdict), c.id,
                     c.value ? fmt::format("{:.4g}", *c.value) : "—",
                     c.message.empty() ? "" : " (" + c.message + ")");
  for (std::size_t i = 0; i < lot.failures.size() && i < kShown; ++i) {
    const auto& f = lot.failures[i];
    std::string names;
    for (std::size_t k = 0; k < f.nodes.size() && k < 4; ++k)
      names += (k ? ", " : "") + f.nodes[k];
    if (f.nodes.size() > 4)
      names += ", …";
    o += fmt::format("  {} node{}: {} ({})\n", f.nodes.size(), f.nodes.size() == 1 ? "" : "s",
                     f.cause, names);
  }
  if (lot.failures.size() > kShown)
    o += fmt::format("  … {} more causes in lot.md\n", lot.failures.size() - kShown);
  if (!lot.outliers.empty()) {
    o += fmt::format("  {} outlier{} (robust z > {:g} or {:g} % worse than the lot median):\n",
                     lot.outliers.size(), lot.outliers.size() == 1 ? "" : "s",
                     lot.options.outlier_z, lot.options.outlier_rel * 100);
    for (std::size_t i = 0; i < lot.outliers.size() && i < kShown; ++i) {
      const auto& x = lot.outliers[i];
      o += fmt::format("    {} {} {} {:+.1f} % vs median ({}){}\n", x.clause_id, x.node, x.target,
                       x.rel_to_median * 100, to_string(x.verdict),
                       x.gpu_uuid.empty() ? "" : " " + x.gpu_uuid);
    }
    if (lot.outliers.size() > kShown)
      o += fmt::format("    … {} more in lot.md\n", lot.outliers.size() - kShown);
  }
  o += fmt::format("LOT {}: {}\n", to_string(lot.outcome), lot.summary);
  return o;
}

} // namespace gpucert::report
