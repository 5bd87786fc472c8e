// Renderings of `gpucert compare` (Markdown, JUnit XML, JSON) and `gpucert spot-check`
// (Markdown; its JSON is compare::to_json). Plain text from the comparison structs.
#pragma once

#include "harness/compare/compare_runs.hpp"
#include "harness/compare/spot_check.hpp"

#include <string>

namespace gpucert::cli {

struct CompareLabels {
  std::string base, fresh; ///< the directories as given
};

std::string render_compare_markdown(const compare::RunComparison& c, const CompareLabels& l);
std::string render_compare_junit(const compare::RunComparison& c, const CompareLabels& l);

struct SpotLabels {
  std::string seller_dir, profile_source, node; ///< node: "simulated h100-sxm5-80gb-8x seed 2"
  std::string signature; ///< the seller directory's signature status, as verified now
};

std::string render_spot_markdown(const compare::SpotCheck& s, const SpotLabels& l);

/// "−6.0 %" style signed percent with one decimal (two below 1 %).
std::string signed_percent(double pct);

} // namespace gpucert::cli
