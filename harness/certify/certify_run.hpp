// `gpucert run` behind the CLI: plan the profile, measure each planned experiment on the backend,
// keep results.json current after every measurement, stop cleanly on SIGINT/SIGTERM, evaluate.
#pragma once

#include "harness/measure/backend.hpp"
#include "harness/model/certificate.hpp"
#include "harness/model/results.hpp"
#include "harness/profile/profile.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace gpucert::certify {

struct RunOptions {
  std::string results_path; ///< rewritten atomically after every measurement ("" = none)
  nlohmann::json provenance = nlohmann::json::object(); ///< command line, ...; merged into results
  bool progress = false;   ///< progress line on stderr (only shown on a terminal)
  double pace_seconds = 0; ///< test hook: real-time pause after each measurement
};

struct RunOutput {
  Results results;
  report::Certificate certificate;
};

/// Never throws for device trouble (those are ERROR checks); EnvironmentError when the backend
/// cannot give an inventory at all. Signals end the run early with results.complete = false.
RunOutput run_certification(const Registry& registry, const profile::Profile& profile,
                            Backend& backend, const RunOptions& opts);

/// NCCL_* and CUDA_VISIBLE_DEVICES as found in the environment (recorded: they change figures).
nlohmann::json relevant_environment();

/// "2026-01-31T12:34:56.789Z"
std::string utc_timestamp();

} // namespace gpucert::certify
