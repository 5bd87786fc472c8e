// Command line of gpucert-error-rates (see options.hpp).
#include "apps/error-rates/options.hpp"

#include "harness/core/error.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <iostream>
#include <thread>

namespace gpucert::error_rates {

namespace {

/// What --quick runs: enough for CI to catch a broken method in well under a minute on two
/// cores; the full table's trial counts are the defaults.
constexpr long long kQuickTrials = 300;
constexpr long long kQuickNodeTrials = 4;

} // namespace

bool parse_options(int argc, char** argv, Options& o) {
  CLI::App app{"gpucert-error-rates: P(PASS), P(FAIL), P(INCONCLUSIVE) and samples of the "
               "shipped profiles' methods, by Monte Carlo through the real runner and verdict "
               "engine"};
  o.config.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  double sample_ms = 1e3 * o.config.sample_seconds;
  double drift = 0;
  bool quick = false, no_node = false;
  app.add_option("--profile", o.profiles,
                 "profile file or name (repeatable; default: h100-sxm5-80gb-8x-standard and "
                 "h100-sxm5-80gb-8x-quick)");
  auto* trials = app.add_option("--trials", o.config.trials, "trials per row of table 1")
                     ->check(CLI::Range(1LL, 100'000'000LL));
  auto* node_trials =
      app.add_option("--node-trials", o.config.node_trials, "trials (nodes) per row of table 2")
          ->check(CLI::Range(1LL, 10'000'000LL));
  std::string seed = std::to_string(o.config.seed);
  int gpus = 0;
  app.add_option("--seed", seed, "seed of every trial's stream, 0 to 2^64-1 (default 1)");
  auto* gpus_opt = app.add_option("--gpus", gpus,
                                  "GPUs per node (default: the profile's match.gpu_count, else 1)")
                       ->check(CLI::Range(1, 1024));
  app.add_option("--threads", o.config.threads, "worker threads (default: hardware threads)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--sample-ms", sample_ms,
                 "device time of one sample, ms (median): what warm-up and the time budget see")
      ->check(CLI::Range(1e-3, 1e5));
  auto* drift_opt = app.add_option("--drift", drift,
                                   "add rows to table 1 where the figure changes by this "
                                   "fraction per minute of load, good direction (-0.01: "
                                   "degrades 1 %/min)");
  app.add_option("--format", o.format, "markdown (default) or json")
      ->check(CLI::IsMember({"markdown", "json"}));
  app.add_flag("--check", o.check, "exit 1 when a target is missed beyond Monte Carlo error");
  app.add_flag("--quick", quick, "a small run for CI (trials and node trials unless given)");
  app.add_flag("--no-node", no_node, "skip table 2");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    app.exit(e, std::cout);
    return false;
  } catch (const CLI::ParseError& e) {
    throw InputError(e.what());
  }
  // Digits only: CLI11 would wrap a negative number into an unsigned seed.
  const auto [end, ec] = std::from_chars(seed.data(), seed.data() + seed.size(), o.config.seed);
  if (seed.empty() || seed[0] < '0' || seed[0] > '9' || ec != std::errc() ||
      end != seed.data() + seed.size())
    throw InputError("--seed: '" + seed + "' is not a number from 0 to 2^64-1");
  if (gpus_opt->count() > 0)
    o.config.gpus = gpus;
  if (drift_opt->count() > 0) {
    if (!std::isfinite(drift) || drift <= -1)
      throw InputError("--drift: must be a finite fraction above -1");
    o.config.drift = drift;
  }
  if (quick && trials->count() == 0)
    o.config.trials = kQuickTrials;
  if (quick && node_trials->count() == 0)
    o.config.node_trials = kQuickNodeTrials;
  o.config.sample_seconds = sample_ms / 1e3;
  o.node = !no_node;
  if (o.profiles.empty())
    o.profiles = {"h100-sxm5-80gb-8x-standard", "h100-sxm5-80gb-8x-quick"};
  return true;
}

} // namespace gpucert::error_rates
