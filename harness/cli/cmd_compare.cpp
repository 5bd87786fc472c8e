// `gpucert compare BASE NEW [--tolerance 2%] [--confidence 0.95] [--format md|junit|json]
// [-o FILE] [--allow-profile-change]`: a rollout's baseline comparison of two run directories,
// check by check (docs/compare.md). Exit 1 any REGRESSED, 5 any INCONCLUSIVE (or a check the new
// run lost), 0 otherwise, 2 bad input.
#include "harness/certify/atomic_file.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/compare_render.hpp"
#include "harness/cli/std_output.hpp"
#include "harness/compare/compare_runs.hpp"
#include "harness/compare/run_dir.hpp"

#include <fmt/core.h>
#include <memory>

namespace gpucert::cli {

namespace {

struct CompareArgs {
  std::string base, fresh;
  std::string tolerance = "2%";
  double confidence = 0.95;
  std::string format = "md";
  std::string output;
  bool allow_profile_change = false;
};

ExitCode compare_action(const CompareArgs& a) {
  compare::ShiftOptions opts;
  opts.tolerance = compare::parse_tolerance(a.tolerance);
  opts.confidence = a.confidence;
  if (!a.output.empty())
    certify::require_regular_target(a.output); // before reading anything
  const report::Certificate base = compare::read_run_certificate(a.base, "BASE");
  const report::Certificate fresh = compare::read_run_certificate(a.fresh, "NEW");
  if (base.simulated != fresh.simulated)
    throw InputError(fmt::format("{} is simulated and {} is not: a simulated run says nothing "
                                 "about a real one",
                                 base.simulated ? a.base : a.fresh,
                                 base.simulated ? a.fresh : a.base));
  if (const std::string diff = compare::profile_difference(base, fresh); !diff.empty()) {
    if (!a.allow_profile_change)
      throw InputError(diff + " (--allow-profile-change compares the checks whose parameters "
                              "agree and lists the others)");
    fmt::print(stderr, "gpucert: note: {}; checks with other parameters are not compared\n", diff);
  }
  const compare::RunComparison cmp = compare::compare_runs(base, fresh, opts);
  const CompareLabels labels{a.base, a.fresh};
  std::string text;
  if (a.format == "md")
    text = render_compare_markdown(cmp, labels);
  else if (a.format == "junit")
    text = render_compare_junit(cmp, labels);
  else
    text = compare::to_json(cmp).dump(2) + "\n";
  if (a.output.empty()) {
    write_stdout(text);
  } else {
    certify::write_file_atomic(a.output, text);
    fmt::print(stderr,
               "gpucert: {} REGRESSED, {} IMPROVED, {} SAME, {} INCONCLUSIVE, {} not "
               "compared{}: {}\n",
               cmp.regressed, cmp.improved, cmp.same, cmp.inconclusive, cmp.not_compared.size(),
               cmp.base_simulated ? " (SIMULATED)" : "", a.output);
  }
  return static_cast<ExitCode>(compare::exit_code(cmp));
}

} // namespace

void add_compare(CLI::App& app, Commands& cmds) {
  auto args = std::make_shared<CompareArgs>();
  auto* sub = app.add_subcommand(
      "compare",
      "compare two run directories check by check (a rollout's baseline): the shift of each "
      "check's samples with its interval, REGRESSED / IMPROVED / SAME / INCONCLUSIVE beyond a "
      "tolerance, Holm-controlled across checks (exit 1 regressed, 5 undecided, 0 otherwise; "
      "docs/compare.md)");
  sub->add_option("base", args->base, "the baseline run directory (holds certificate.json)")
      ->required()
      ->type_name("BASE");
  sub->add_option("new", args->fresh, "the run directory to compare with it")
      ->required()
      ->type_name("NEW");
  sub->add_option("--tolerance", args->tolerance,
                  "a shift within ±T is no change: 2% (default), 0.5%, or a fraction 0.02")
      ->type_name("T");
  sub->add_option("--confidence", args->confidence,
                  "of each check's interval (default 0.95); each REGRESSED / IMPROVED claim is "
                  "made at (1 - confidence) / 2, Holm-adjusted across checks")
      ->check(CLI::Range(0.5, 0.9999))
      ->type_name("C");
  sub->add_option("--format", args->format, "md (default), junit or json")
      ->check(CLI::IsMember({"md", "junit", "json"}))
      ->type_name("F");
  sub->add_option("-o,--output", args->output, "write to FILE instead of standard output")
      ->type_name("FILE");
  sub->add_flag("--allow-profile-change", args->allow_profile_change,
                "compare runs judged by different profiles (checks with other parameters are "
                "listed, not compared)");
  cmds.push_back({sub, [args]() { return compare_action(*args); }});
}

} // namespace gpucert::cli
