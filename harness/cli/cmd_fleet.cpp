// `gpucert fleet DIR_OR_GLOB... --out D [--profile P] [--pubkey K]... [--lot-size N]`: many node
// certificates judged as one lot (docs/fleet.md); writes D/lot.json, D/lot.md, D/lot.csv,
// D/lot.html and prints the summary. Exit 0 certified, 1 not certified, 5 inconclusive, 2 bad
// input. `gpucert fleet sample-plan`: how many nodes of a lot a buyer must spot-check, and which.
// `gpucert fleet derive-profile LOT --base P --rule R`: a profile whose thresholds come from a lot.
#include "gpucert/version.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/certify/atomic_file.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/std_output.hpp"
#include "harness/core/json_input.hpp"
#include "harness/core/seed.hpp"
#include "harness/fleet/aggregate.hpp"
#include "harness/fleet/derive_profile.hpp"
#include "harness/fleet/inputs.hpp"
#include "harness/fleet/lot_clauses.hpp"
#include "harness/fleet/sample_select.hpp"
#include "harness/profile/profile_search.hpp"
#include "reports/lot_render.hpp"

#include <cmath>
#include <filesystem>
#include <fmt/core.h>
#include <memory>
#include <random>

namespace gpucert::cli {

namespace fs = std::filesystem;

namespace {

// "1%", "0.5 %", "0.01": a fraction in (0, 1); `what` names the option in errors.
double parse_fraction(const std::string& text, const std::string& what) {
  std::string s = text;
  bool percent = false;
  while (!s.empty() && s.back() == ' ')
    s.pop_back();
  if (!s.empty() && s.back() == '%') {
    percent = true;
    s.pop_back();
  }
  std::size_t used = 0;
  double v = NAN;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  while (used < s.size() && s[used] == ' ')
    ++used;
  if (s.empty() || used != s.size() || !std::isfinite(v))
    throw InputError(
        fmt::format("{} '{}': expected a fraction (0.01) or a percentage (1%)", what, text));
  if (percent)
    v /= 100;
  if (!(v > 0 && v < 1))
    throw InputError(
        fmt::format("{} '{}': must lie strictly between 0 and 1 (0 % and 100 %)", what, text));
  return v;
}

struct FleetArgs {
  std::vector<std::string> inputs, pubkeys, extends_from;
  std::string out, profile, confidence = "95%";
  int threads = 0, lot_size = 0;
  double outlier_z = 4, outlier_rel_percent = 3;
  double miss_rate = 0.025;
};

ExitCode fleet_action(const FleetArgs& a) {
  if (a.inputs.empty())
    throw InputError("fleet: give the node run directories (DIR_OR_GLOB...), or a subcommand "
                     "(sample-plan, derive-profile); see gpucert fleet --help");
  if (a.out.empty())
    throw InputError(
        "fleet: --out D is required (the lot's lot.json, lot.md, lot.csv and lot.html go "
        "there)");
  fleet::AggregateOptions opts;
  opts.lot.confidence = parse_fraction(a.confidence, "--confidence");
  opts.lot.outlier_z = a.outlier_z;
  opts.lot.outlier_rel = a.outlier_rel_percent / 100;
  opts.threads = a.threads;
  opts.rates.miss = a.miss_rate;
  if (a.lot_size > 0)
    opts.lot_size = a.lot_size;
  // Read what can be bad before anything is aggregated.
  profile::FleetPolicy policy;
  std::string profile_name, profile_sha;
  if (!a.profile.empty()) {
    const profile::Profile prof = profile::load_profile(
        builtin_registry(), profile::resolve_profile_path(a.profile), a.extends_from);
    policy = prof.fleet;
    profile_name = prof.name;
    profile_sha = prof.sha256;
    if (policy.outlier_z)
      opts.lot.outlier_z = *policy.outlier_z;
    if (policy.outlier_rel)
      opts.lot.outlier_rel = *policy.outlier_rel;
  }
  if (!a.pubkeys.empty()) {
    opts.check_signatures = true;
    opts.keys = trust::load_keyring(a.pubkeys, {}).keys;
  }
  const std::vector<fs::path> certs = fleet::expand_inputs(a.inputs);
  std::error_code ec;
  fs::create_directories(a.out, ec);
  if (!fs::is_directory(a.out, ec))
    throw InputError(fmt::format("--out {}: not a directory and cannot be created", a.out));

  report::LotCertificate lot = fleet::aggregate(certs, opts);
  if (!profile_name.empty()) {
    int other = 0;
    for (const auto& n : lot.nodes)
      other += n.readable && n.profile_sha256 != profile_sha;
    if (other > 0)
      lot.notes.push_back(fmt::format("{} node{} certified against another profile than {} "
                                      "(sha256 {}…), whose fleet: section judges the lot",
                                      other, other == 1 ? " was" : "s were", profile_name,
                                      profile_sha.substr(0, 12)));
    lot.profile_name = profile_name;
    lot.profile_sha256 = profile_sha;
  }
  fleet::judge_lot(policy, lot);

  const fs::path out(a.out);
  certify::write_file_atomic((out / "lot.json").string(), report::to_json(lot).dump(1) + "\n");
  certify::write_file_atomic((out / "lot.md").string(), report::render_lot_markdown(lot));
  certify::write_file_atomic((out / "lot.csv").string(), report::render_lot_csv(lot));
  certify::write_file_atomic((out / "lot.html").string(), report::render_lot_html(lot));
  write_stdout(
      report::render_lot_console(lot) +
      fmt::format("evidence: {0}/lot.json, {0}/lot.md, {0}/lot.csv, {0}/lot.html\n", a.out));
  return static_cast<ExitCode>(report::exit_code(lot));
}

struct SamplePlanArgs {
  int lot_size = 0, acceptance = 0;
  std::string max_defective, confidence = "95%", nodes_file, seed;
  double miss_rate = 0.025, false_fail_rate = 0.05;
  bool json = false;
};

ExitCode sample_plan_action(const SamplePlanArgs& a) {
  if (a.lot_size <= 0)
    throw InputError("fleet sample-plan: --lot-size N is required (the nodes in the lot)");
  if (a.max_defective.empty())
    throw InputError("fleet sample-plan: --max-defective F is required (the defective fraction "
                     "the buyer must rule out, e.g. 1%)");
  const double p = parse_fraction(a.max_defective, "--max-defective");
  const double conf = parse_fraction(a.confidence, "--confidence");
  stats::ErrorRates rates{a.miss_rate, a.false_fail_rate};
  const stats::SamplePlan plan = stats::sample_plan(a.lot_size, p, conf, a.acceptance, rates);

  std::vector<std::string> nodes;
  if (!a.nodes_file.empty())
    nodes = fleet::read_node_list(a.nodes_file);
  if (!nodes.empty() && int(nodes.size()) != a.lot_size)
    throw InputError(fmt::format("--nodes {}: lists {} nodes, but --lot-size is {}", a.nodes_file,
                                 nodes.size(), a.lot_size));
  std::uint64_t seed = 0;
  if (!a.seed.empty()) {
    seed = gpucert::parse_seed(a.seed);
  } else {
    std::random_device rd;
    seed = (std::uint64_t(rd()) << 32) ^ rd();
  }
  const std::vector<int> chosen = fleet::choose_sample(a.lot_size, plan.sample, seed);

  if (a.json) {
    nlohmann::json j = {{"lot_size", plan.lot_size},
                        {"max_defective_fraction", plan.max_defective_fraction},
                        {"confidence", plan.confidence},
                        {"acceptance_number", plan.acceptance_number},
                        {"sample", plan.sample},
                        {"achieved", plan.achieved},
                        {"rejectable_defective", plan.rejectable_defective},
                        {"accept_at_rejectable", plan.accept_at_rejectable},
                        {"miss_rate", rates.miss},
                        {"false_fail_rate", rates.false_fail},
                        {"seed", std::to_string(seed)},
                        {"tool_version", kToolVersion}};
    nlohmann::json oc = nlohmann::json::array();
    for (const auto& pt : plan.oc)
      oc.push_back({{"defective_fraction", pt.defective_fraction},
                    {"defective", pt.defective},
                    {"accept", pt.accept}});
    j["oc"] = oc;
    nlohmann::json pick = nlohmann::json::array();
    for (int i : chosen)
      pick.push_back(nodes.empty() ? nlohmann::json(i + 1) : nlohmann::json(nodes[i]));
    j["chosen"] = pick;
    write_stdout(j.dump(1) + "\n");
    return ExitCode::certified;
  }
  std::string o;
  o += fmt::format("lot of {} nodes; rule out more than {:g} % defective ({} nodes or more) at "
                   "{:g} % confidence\n",
                   plan.lot_size, p * 100, plan.rejectable_defective, conf * 100);
  if (!plan.achieved)
    o += "not achievable: even checking every node of the lot leaves the risk above 1 − "
         "confidence at these verdict error rates\n";
  o += fmt::format("spot-check {} nodes; accept the lot when at most {} of them {} not "
                   "certified\n",
                   plan.sample, plan.acceptance_number, plan.acceptance_number == 1 ? "is" : "are");
  o += fmt::format("  P(accept) with {} defective nodes: {:.4f} (≤ {:.4f} required)\n",
                   plan.rejectable_defective, plan.accept_at_rejectable, 1 - conf);
  o += fmt::format("  verdict error rates folded in: a defective node passes {:g} %, a good node "
                   "fails {:g} %\n",
                   rates.miss * 100, rates.false_fail * 100);
  if (!plan.oc.empty() && plan.oc.front().defective == 0 && plan.oc.front().accept < 0.9)
    o += fmt::format(
        "  warning: a lot with no defective node is accepted with probability only {:.4f}: each "
        "good node sampled fails with probability {:g} %. Re-measure the nodes that fail before "
        "counting them, raise --acceptance-number, or give --false-fail-rate as measured for "
        "nodes like these\n",
        plan.oc.front().accept, rates.false_fail * 100);
  o += "operating characteristic (P(accept) by the lot's true defective fraction):\n";
  for (const auto& pt : plan.oc)
    o += fmt::format("  {:>7.3f} %  {:>6} defective  P(accept) {:.4f}\n",
                     pt.defective_fraction * 100, pt.defective, pt.accept);
  o += fmt::format("seed {} (record it: the same seed draws the same nodes)\n", seed);
  o += nodes.empty() ? "nodes to check (1-based positions in the lot's list):\n"
                     : fmt::format("nodes to check (from {}):\n", a.nodes_file);
  for (int i : chosen)
    o += fmt::format("  {}\n", nodes.empty() ? std::to_string(i + 1) : nodes[i]);
  write_stdout(o);
  return ExitCode::certified;
}

struct DeriveArgs {
  std::string lot, base, rule, name, output;
  std::vector<std::string> extends_from;
  bool allow_looser = false;
};

ExitCode derive_action(const DeriveArgs& a) {
  fs::path path(a.lot);
  std::error_code ec;
  if (fs::is_directory(path, ec))
    path /= "lot.json";
  if (!fs::exists(path, ec))
    throw InputError(fmt::format("{}: no such lot certificate (give gpucert fleet's --out "
                                 "directory or its lot.json)",
                                 path.string()));
  report::LotCertificate lot;
  try {
    lot = report::lot_from_json(read_json_input(path.string(), kCertificateInput));
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", path.string(), e.what()));
  }
  const fleet::Rule rule = fleet::parse_rule(a.rule);
  const profile::Profile base = profile::load_profile(
      builtin_registry(), profile::resolve_profile_path(a.base), a.extends_from);
  const std::string name = a.name.empty() ? base.name + "-derived" : a.name;
  const fleet::DerivedProfile d = fleet::derive_profile(base, lot, rule, name, a.allow_looser);
  if (a.output.empty() || a.output == "-")
    write_stdout(d.yaml);
  else
    certify::write_file_atomic(a.output, d.yaml);
  std::string summary;
  int derived = 0;
  for (const auto& t : d.thresholds) {
    derived += t.action == "derived";
    summary += fmt::format("  {:<28} {:<10} {}\n", t.clause_id,
                           t.threshold ? fmt::format("{:.6g}", *t.threshold) : "—", t.action);
  }
  fmt::print(stderr, "gpucert: {} of {} thresholds derived from the lot (sha256 {}, rule {})\n{}",
             derived, d.thresholds.size(), lot.lot_sha256.substr(0, 16), rule.text, summary);
  return ExitCode::certified;
}

} // namespace

void add_fleet(CLI::App& app, Commands& cmds) {
  auto args = std::make_shared<FleetArgs>();
  auto* sub = app.add_subcommand(
      "fleet", "judge many node certificates as one lot: counts, capacity, distributions, "
               "outliers, failures by cause, the profile's fleet: clauses; writes lot.json, "
               "lot.md, lot.csv, lot.html (exit 0 certified, 1 not, 5 inconclusive)");
  sub->add_option("inputs", args->inputs,
                  "run directories (holding certificate.json), directories of them, or globs")
      ->type_name("DIR_OR_GLOB...");
  sub->add_option("--out", args->out, "directory for lot.json, lot.md, lot.csv and lot.html")
      ->type_name("D");
  sub->add_option("--profile", args->profile,
                  "profile whose fleet: section judges the lot (a file or a shipped name); "
                  "without it every node must be certified")
      ->type_name("P");
  sub->add_option("--extends-from", args->extends_from,
                  "let the profile's extends reach files under DIR too")
      ->type_name("DIR");
  sub->add_option("--pubkey", args->pubkeys,
                  "check each node's signature and file digests against this key or keyring "
                  "(repeatable); a node not VALID is counted unverified, never certified")
      ->type_name("K");
  sub->add_option("--lot-size", args->lot_size,
                  "the nodes given are a random sample of a lot of N nodes: bound the lot's "
                  "defective fraction from them")
      ->type_name("N")
      ->check(CLI::Range(1, 10'000'000));
  sub->add_option("--threads", args->threads,
                  "certificates read in parallel (default: one per "
                  "core)")
      ->type_name("N")
      ->check(CLI::Range(0, 1024));
  sub->add_option("--confidence", args->confidence,
                  "of the lot's intervals and bounds (default 95%)")
      ->type_name("C");
  sub->add_option("--outlier-z", args->outlier_z,
                  "robust z (median/MAD) beyond which a target is an outlier (default 4; the "
                  "profile's fleet.outlier_z wins)")
      ->type_name("Z")
      ->check(CLI::PositiveNumber);
  sub->add_option("--outlier-percent", args->outlier_rel_percent,
                  "... or this many % worse than the lot median (default 3; the profile's "
                  "fleet.outlier_rel wins)")
      ->type_name("X")
      ->check(CLI::PositiveNumber);
  sub->add_option("--miss-rate", args->miss_rate,
                  "with --lot-size: the chance that one node's verdict passes a defective node "
                  "(default 0.025, the verdict engine's error budget)")
      ->type_name("F")
      ->check(CLI::Range(0.0, 0.5));

  auto plan = std::make_shared<SamplePlanArgs>();
  auto* sp = sub->add_subcommand(
      "sample-plan", "how many nodes of a lot to spot-check, and which (seeded), to bound its "
                     "defective fraction (acceptance sampling; prints the plan and its operating "
                     "characteristic)");
  sp->add_option("--lot-size", plan->lot_size, "nodes in the lot")
      ->type_name("N")
      ->required()
      ->check(CLI::Range(1, 10'000'000));
  sp->add_option("--max-defective", plan->max_defective,
                 "defective fraction to rule out: 1% or 0.01")
      ->type_name("F")
      ->required();
  sp->add_option("--confidence", plan->confidence, "default 95%")->type_name("C");
  sp->add_option("--acceptance-number", plan->acceptance,
                 "nodes of the sample that may fail and the lot still be accepted (default 0)")
      ->type_name("C")
      ->check(CLI::Range(0, 1'000'000));
  sp->add_option("--nodes", plan->nodes_file,
                 "file listing the lot's nodes, one per line ('#' comments): the chosen ones are "
                 "printed by name")
      ->type_name("FILE");
  sp->add_option("--seed", plan->seed, "seed of the random choice (default: drawn and printed)")
      ->type_name("S");
  sp->add_option("--miss-rate", plan->miss_rate, "P(a defective node passes) (default 0.025)")
      ->type_name("F")
      ->check(CLI::Range(0.0, 0.5));
  sp->add_option("--false-fail-rate", plan->false_fail_rate,
                 "P(a good node fails) (default 0.05; changes the OC, not the guarantee)")
      ->type_name("F")
      ->check(CLI::Range(0.0, 0.5));
  sp->add_flag("--json", plan->json, "the plan as JSON on stdout");

  auto der = std::make_shared<DeriveArgs>();
  auto* dp = sub->add_subcommand(
      "derive-profile", "write a profile whose thresholds come from a lot (the rule and the "
                        "lot's digest recorded next to each threshold)");
  dp->add_option("lot", der->lot, "gpucert fleet's --out directory or its lot.json")
      ->type_name("LOT")
      ->required();
  dp->add_option("--base", der->base, "the profile to start from (a file or a shipped name)")
      ->type_name("P")
      ->required();
  dp->add_option("--rule", der->rule,
                 "median-4*MAD, median-3%, p1, p5, p5-1*MAD, min (mirrored for ceilings)")
      ->type_name("R")
      ->required();
  dp->add_option("--name", der->name, "name of the derived profile (default BASE-derived)")
      ->type_name("NAME");
  dp->add_option("-o,--output", der->output, "write the profile here (default stdout)")
      ->type_name("FILE");
  dp->add_option("--extends-from", der->extends_from, "let the base's extends reach DIR too")
      ->type_name("DIR");
  dp->add_flag("--allow-looser", der->allow_looser,
               "let a derived threshold be looser than the base's (default: keep the base's)");

  // The nested commands first: main runs the first parsed command, and `fleet` is parsed too.
  cmds.push_back({sp, [plan]() { return sample_plan_action(*plan); }});
  cmds.push_back({dp, [der]() { return derive_action(*der); }});
  cmds.push_back({sub, [args]() { return fleet_action(*args); }});
}

} // namespace gpucert::cli
