// The tables as Markdown (what METHOD.md carries) or JSON (for scripts).
#pragma once

#include "apps/error-rates/tables.hpp"
#include "apps/error-rates/targets.hpp"

#include <string>
#include <vector>

namespace gpucert::error_rates {

struct Report {
  RunConfig config;
  std::vector<MethodTable> methods;
  std::vector<NodeTable> nodes;
  std::vector<TargetResult> targets;
  bool checked = false; ///< --check: targets decide the exit code
  double wall_seconds = 0;
};

std::string render_markdown(const Report& r);
std::string render_json(const Report& r);

} // namespace gpucert::error_rates
