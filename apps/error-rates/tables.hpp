// The two tables: every distinct clause method of a profile against a grid of truths (table 1),
// and every check of a profile's plan on a healthy 8-GPU node at once (table 2).
#pragma once

#include "apps/error-rates/trials.hpp"
#include "harness/profile/profile.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gpucert::error_rates {

struct RunConfig {
  long long trials = 20000;     ///< per row of table 1
  long long node_trials = 1000; ///< per row of table 2
  std::uint64_t seed = 1;
  int threads = 1;
  double sample_seconds = 0.020;
  std::optional<double> drift; ///< adds drifting rows to table 1
  bool progress = false;       ///< a line on stderr per table
  std::optional<int> gpus;     ///< --gpus: overrides every profile's match.gpu_count
};

struct Row {
  Truth truth;
  Tally tally;
};

/// Clauses of one profile that share a method: statistic, direction, held duration.
struct MethodTable {
  std::string profile;
  profile::Tier tier = profile::Tier::standard;
  std::string label; ///< "median, floor (min), adaptive"
  std::vector<std::string> clause_ids;
  profile::Clause clause; ///< the first of them, as loaded
  CheckSpec spec;
  int gpus = 8;
  std::vector<Row> rows;
  double wall_seconds = 0;
};

struct NodeRow {
  Truth truth;
  NodeTally tally;
};

struct NodeTable {
  std::string profile;
  profile::Tier tier = profile::Tier::standard;
  int gpus = 8, measurements = 0, checks = 0;
  std::vector<CheckSpec> specs; ///< one per planned measurement
  std::vector<NodeRow> rows;
  double wall_seconds = 0;
};

/// The GPUs a profile is certified on: --gpus, else match.gpu_count, else 1 (a profile that
/// names no count, such as one PCIe card).
/// They set the family size the FAIL side's error is split over.
std::vector<int> profile_gpus(const profile::Profile& p, const RunConfig& cfg);

/// The rows of table 1 (offsets × CVs, then dependence, then drift when asked) and table 2.
std::vector<Truth> method_rows(const RunConfig& cfg);
std::vector<Truth> node_rows();

std::vector<MethodTable> method_tables(const profile::Profile& p, const RunConfig& cfg);
NodeTable node_table(const Registry& registry, const profile::Profile& p, const RunConfig& cfg);

void run(MethodTable& t, const std::vector<Truth>& rows, const RunConfig& cfg);
void run(NodeTable& t, const std::vector<Truth>& rows, const RunConfig& cfg);

std::string row_label(const Truth& t); ///< "offset +1 % CV 2 % rho 0.5": the row's stream key too

} // namespace gpucert::error_rates
