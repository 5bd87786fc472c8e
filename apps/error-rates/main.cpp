// gpucert-error-rates: the error-rate table of the shipped profiles' methods (issue 9). Every
// trial runs the real measurement and verdict code on a fake node whose samples have a known
// distribution, so the table is what the shipped method does, not what a model of it predicts.
#include "apps/error-rates/options.hpp"
#include "apps/error-rates/render.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/core/error.hpp"
#include "harness/profile/profile_search.hpp"

#include <chrono>
#include <cstdio>
#include <exception>
#include <fmt/core.h>
#include <unistd.h>

int main(int argc, char** argv) {
  using namespace gpucert;
  using namespace gpucert::error_rates;
  try {
    Options opts;
    if (!parse_options(argc, argv, opts))
      return 0;
    opts.config.progress = isatty(STDERR_FILENO) != 0;
    const Registry& registry = builtin_registry();
    std::vector<profile::Profile> profiles;
    for (const auto& arg : opts.profiles)
      profiles.push_back(profile::load_profile(registry, profile::resolve_profile_path(arg)));

    const auto t0 = std::chrono::steady_clock::now();
    Report report;
    report.config = opts.config;
    report.checked = opts.check;
    const std::vector<Truth> rows = method_rows(opts.config);
    for (const auto& p : profiles)
      for (auto& t : method_tables(p, opts.config)) {
        run(t, rows, opts.config);
        report.methods.push_back(std::move(t));
      }
    if (opts.node)
      for (const auto& p : profiles) {
        NodeTable t = node_table(registry, p, opts.config);
        run(t, node_rows(), opts.config);
        report.nodes.push_back(std::move(t));
      }
    report.targets = check_targets(report.methods, report.nodes);
    report.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    const std::string text = opts.format == "json" ? render_json(report) : render_markdown(report);
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout))
      throw EnvironmentError("cannot write the table to standard output");
    if (!opts.check)
      return 0;
    int missed = 0;
    for (const auto& g : report.targets)
      if (!g.ok) {
        missed += g.informational ? 0 : 1;
        fmt::print(stderr,
                   "gpucert-error-rates: {}: {} {} {:.2f} % (observed {:.2f} %, {} trials)\n",
                   g.informational ? "note, informational row exceeds" : "target missed", g.what,
                   g.relation, 100 * g.limit, 100 * g.observed, g.trials);
      }
    return missed ? static_cast<int>(ExitCode::not_certified) : 0;
  } catch (const Error& e) {
    fmt::print(stderr, "gpucert-error-rates: {}\n", e.what());
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    fmt::print(stderr, "gpucert-error-rates: internal error: {}\n", e.what());
    return static_cast<int>(ExitCode::internal);
  }
}
