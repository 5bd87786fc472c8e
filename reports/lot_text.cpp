// Text the lot renderers share (lot_render.hpp).
#include "reports/lot_render.hpp"

#include <fmt/core.h>

namespace gpucert::report {

std::string outlier_rule_text(const LotOptions& o) {
  return fmt::format("A GPU (or pair, or node) whose statistic lies more than {:g} robust "
                     "standard deviations (median/MAD) or more than {:g} % on the bad side of the "
                     "lot's median, whatever its own verdict.",
                     o.outlier_z, o.outlier_rel * 100);
}

std::string clause_unit(const LotCertificate& lot, const std::string& clause_id) {
  for (const auto& c : lot.clauses)
    if (c.id == clause_id)
      return c.unit;
  return "";
}

} // namespace gpucert::report
