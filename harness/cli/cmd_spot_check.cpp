// `gpucert spot-check SELLER_DIR --out D [--fraction F] [--draw-seed S] [--tolerance T]
// [--profile P] [--allow-other-node] [--simulate NODE --fault F --seed N --hostname H] [--gpus L]`:
// the buyer re-measures a seeded random draw of the seller's checks on this node with the
// seller's profile and method and compares each with the seller's samples (docs/compare.md).
// Writes D/spot-check.md, D/spot-check.json and the buyer's results.json, certificate.json and
// reports. Exit 1 BELOW CERTIFIED, a contract FAIL/ERROR or another node; 5 undecided; 0 else.
#include "harness/benchmarks/catalog.hpp"
#include "harness/certify/atomic_file.hpp"
#include "harness/certify/certify_run.hpp"
#include "harness/certify/stop_signal.hpp"
#include "harness/cli/cli_files.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/compare_render.hpp"
#include "harness/cli/out_dir.hpp"
#include "harness/cli/std_output.hpp"
#include "harness/compare/run_dir.hpp"
#include "harness/compare/spot_check.hpp"
#include "harness/core/seed.hpp"
#include "harness/profile/node_fit.hpp"
#include "harness/trust/signature_status.hpp"
#include "reports/format.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/core.h>
#include <memory>

namespace gpucert::cli {

namespace {

namespace fs = std::filesystem;

inline constexpr const char* kSpotMd = "spot-check.md";
inline constexpr const char* kSpotJson = "spot-check.json";

struct SpotArgs {
  std::string seller_dir, out;
  double fraction = 0.25;
  std::string draw_seed;
  std::string tolerance = "2%";
  double confidence = 0.95;
  std::string profile;
  std::vector<std::string> extends_from;
  bool allow_other_node = false;
  int min_samples = 0;
  std::vector<std::string> pubkeys;
  NodeOptions node;
};

std::string gpu_list(const std::vector<int>& gpus) {
  std::string s;
  for (int g : gpus)
    s += (s.empty() ? "" : ",") + std::to_string(g);
  return s;
}

std::string node_text(const NodeOptions& n, const Backend& b) {
  if (!b.simulated())
    return "this machine's GPUs";
  const nlohmann::json sim = backends::sim_provenance(b);
  std::string s = fmt::format("simulated node {} (hostname {}, noise seed {})", n.simulate,
                              sim.value("hostname", std::string("?")), sim.value("seed", 0ULL));
  for (const std::string& f : n.faults)
    s += ", fault " + f;
  return s;
}

std::string seller_signature_text(const report::SignatureStatus& s) {
  std::string t = report::to_string(s.state);
  if (!s.fingerprint.empty())
    t += " (key " + s.fingerprint + ")";
  if (s.state == report::SignatureStatus::State::untrusted)
    t += ": intact, but signed by no key given with --pubkey";
  else if (s.state == report::SignatureStatus::State::unsigned_)
    t += ": the seller's directory holds no signature";
  return t;
}

ExitCode spot_check_action(SpotArgs a) {
  compare::ShiftOptions opts;
  opts.tolerance = compare::parse_tolerance(a.tolerance);
  opts.confidence = a.confidence;
  const std::uint64_t draw_seed = a.draw_seed.empty()
                                      ? backends::random_seed()
                                      : gpucert::parse_seed(a.draw_seed, "--draw-seed");
  const report::Certificate seller = compare::read_run_certificate(a.seller_dir, "SELLER_DIR");
  std::error_code same_ec;
  if (fs::exists(a.out, same_ec) && fs::equivalent(a.out, a.seller_dir, same_ec))
    throw InputError(fmt::format("--out {}: that is SELLER_DIR; the buyer's files go elsewhere "
                                 "(the seller's evidence stays as it is)",
                                 a.out));
  // The seller's signature: a certificate altered after signing is not the seller's claim.
  const report::SignatureStatus sig = trust::signature_status(a.seller_dir, a.pubkeys);
  if (sig.state == report::SignatureStatus::State::invalid) {
    fmt::print(stderr,
               "gpucert: {}: the signature does not hold ({}); nothing measured (gpucert verify "
               "says more)\n",
               a.seller_dir, sig.detail);
    return ExitCode::not_certified;
  }
  const std::string sig_text = seller_signature_text(sig);
  const compare::LoadedProfile loaded = compare::load_certified_profile(
      builtin_registry(), a.seller_dir, seller, a.profile, a.extends_from);

  // One noise seed for the simulated node, so the identity read and the re-measurement are the
  // same node; recorded either way.
  if (!a.node.simulate.empty() && a.node.seed.empty())
    a.node.seed = std::to_string(backends::random_seed());
  NodeOptions whole = a.node;
  whole.gpus.clear();
  compare::Identity identity;
  {
    std::unique_ptr<Backend> probe = make_backend(whole);
    identity = compare::check_identity(seller.inventory, probe->inventory());
  }
  if (!identity.match) {
    for (const std::string& m : identity.mismatches)
      fmt::print(stderr, "gpucert: identity: {}\n", m);
    if (!a.allow_other_node) {
      fmt::print(stderr,
                 "gpucert: this node is not the node {} certified ({} difference{}); nothing "
                 "measured (--allow-other-node compares anyway)\n",
                 a.seller_dir, identity.mismatches.size(),
                 identity.mismatches.size() == 1 ? "" : "s");
      return ExitCode::not_certified;
    }
    fmt::print(stderr,
               "gpucert: --allow-other-node: comparing another node with the certificate\n");
  }

  const compare::Draw draw =
      compare::draw_checks(seller, a.fraction, draw_seed, parse_gpu_list(a.node.gpus));
  profile::Profile prof = compare::restrict_profile(loaded.profile, draw);
  if (a.min_samples > prof.method.min_samples) { // more samples, same method: more power
    prof.method.min_samples = a.min_samples;
    prof.method.max_samples = std::max(prof.method.max_samples, a.min_samples);
  }
  NodeOptions measured = a.node;
  measured.gpus = draw.all_gpus ? "" : gpu_list(draw.gpus);
  std::unique_ptr<Backend> backend = make_backend(measured);
  profile::check_node_fit(builtin_registry(), prof, backend->inventory());

  OutDir out_dir(a.out);
  const std::string previous = out_dir.move_previous_aside();
  const fs::path dir(out_dir.path());
  for (const char* name : {kSpotMd, kSpotJson}) {
    std::error_code ec;
    if (!previous.empty() && fs::is_regular_file(dir / name, ec))
      fs::rename(dir / name, fs::path(previous) / name, ec);
  }
  if (backend->simulated())
    fmt::print(stderr,
               "gpucert: simulated node '{}': the re-measurement is stamped SIMULATED ({})\n",
               a.node.simulate, report::kSimulatedStamp);
  fmt::print(stderr, "gpucert: draw seed {}: {} of {} checks, GPUs {}\n", draw_seed,
             draw.checks.size(), draw.candidates, draw.all_gpus ? "all" : gpu_list(draw.gpus));

  nlohmann::json drawn = nlohmann::json::array();
  for (const compare::Drawn& d : draw.checks)
    drawn.push_back(compare::check_name(d.clause_id, d.target));
  certify::RunOptions ropts;
  ropts.results_path = (dir / "results.json").string();
  ropts.provenance = {{"command", "spot-check"},
                      {"seller_dir", a.seller_dir},
                      {"profile_source", loaded.source},
                      {"draw_seed", draw_seed},
                      {"fraction", a.fraction},
                      {"drawn", drawn},
                      {"clauses_restricted_to_draw", true},
                      {"min_samples", prof.method.min_samples},
                      {"simulate", a.node.simulate},
                      {"faults", a.node.faults},
                      {"gpus_option", measured.gpus}};
  const nlohmann::json sim = backends::sim_provenance(*backend);
  if (!sim.is_null())
    ropts.provenance["sim"] = sim;
  ropts.progress = true;

  certify::install_stop_handlers();
  certify::RunOutput run;
  try {
    run = certify::run_certification(builtin_registry(), prof, *backend, ropts);
  } catch (...) {
    certify::remove_stop_handlers();
    throw;
  }
  write_certificate_files(out_dir.path(), run.certificate);
  certify::remove_stop_handlers();

  compare::SpotCheck spot = compare::spot_compare(seller, run.certificate, draw, opts);
  spot.identity = identity;
  spot.identity_overridden = !identity.match && a.allow_other_node;
  nlohmann::json doc = compare::to_json(spot);
  doc["seller_dir"] = a.seller_dir;
  doc["profile_source"] = loaded.source;
  doc["seller_signature"] = {{"state", report::to_string(sig.state)},
                             {"key_id", sig.key_id},
                             {"fingerprint", sig.fingerprint},
                             {"detail", sig.detail}};
  doc["node"] = node_text(a.node, *backend);
  if (!sim.is_null())
    doc["sim"] = sim; // the simulated node's noise seed and hostname: what reproduces it
  const std::string md = render_spot_markdown(
      spot, SpotLabels{a.seller_dir, loaded.source, node_text(a.node, *backend), sig_text});
  certify::write_file_atomic((dir / kSpotJson).string(), doc.dump(2) + "\n");
  certify::write_file_atomic((dir / kSpotMd).string(), md);
  write_stdout(md);
  return static_cast<ExitCode>(compare::exit_code(spot));
}

} // namespace

void add_spot_check(CLI::App& app, Commands& cmds) {
  auto args = std::make_shared<SpotArgs>();
  auto* sub = app.add_subcommand(
      "spot-check",
      "the buyer's check of a seller's certificate: on the certified node, re-measure a seeded "
      "random draw of its checks with the seller's profile and compare each with the seller's "
      "samples (CONSISTENT / BELOW CERTIFIED / INCONCLUSIVE) beside the contract verdict of the "
      "buyer's samples (exit 1 below or failed or another node, 5 undecided, 0 otherwise; "
      "docs/compare.md)");
  sub->add_option("seller_dir", args->seller_dir,
                  "the seller's run directory (certificate.json; the profile from its profile/ "
                  "copy, else --profile)")
      ->required()
      ->type_name("SELLER_DIR");
  sub->add_option("--out", args->out,
                  "write spot-check.md, spot-check.json and the buyer's results.json, "
                  "certificate.json and reports here (locked as run --out)")
      ->required()
      ->type_name("D");
  sub->add_option("--fraction", args->fraction,
                  "share of the seller's measured checks to draw (default 0.25; at least one)")
      ->check(CLI::Range(0.0, 1.0))
      ->type_name("F");
  sub->add_option("--draw-seed", args->draw_seed,
                  "the buyer's seed of the draw (0 to 2^64-1; default: a random one); recorded in "
                  "spot-check.json and the buyer's results.json. --seed is the simulated node's "
                  "noise, as in run")
      ->type_name("S");
  sub->add_option("--tolerance", args->tolerance,
                  "BELOW CERTIFIED means worse than the seller's figure by more than T (default "
                  "2%; a fraction 0.02 also reads)")
      ->type_name("T");
  sub->add_option("--confidence", args->confidence,
                  "of each check's interval (default 0.95); BELOW CERTIFIED is claimed at (1 - "
                  "confidence) / 2, Holm-adjusted across the drawn checks")
      ->check(CLI::Range(0.5, 0.9999))
      ->type_name("C");
  sub->add_option("--profile", args->profile,
                  "the seller's profile, when SELLER_DIR holds no profile/ copy (a file or a "
                  "name; its sha256 must be the certificate's)")
      ->type_name("FILE|NAME");
  sub->add_option("--extends-from", args->extends_from,
                  "extra directories the profile's extends may name")
      ->type_name("DIR");
  sub->add_option("--pubkey", args->pubkeys,
                  "the seller's public key or a keyring (repeatable): the signature status shown "
                  "is VALID only with it. An invalid signature stops the spot-check (exit 1)")
      ->type_name("K");
  sub->add_flag("--allow-other-node", args->allow_other_node,
                "measure and compare even when this node's hostname or GPU UUIDs/serials are not "
                "the certificate's (said in every output)");
  sub->add_option("--min-samples", args->min_samples,
                  "take at least N samples per drawn check on this node (default: the profile's "
                  "method; the seller's count is what it is). More samples detect a smaller "
                  "shortfall: docs/compare.md has the power table")
      ->check(CLI::Range(1, 100000))
      ->type_name("N");
  add_node_options(sub, args->node);
  sub->get_option("--gpus")->description(
      "draw only among checks on these GPUs, e.g. 0,2-3 (default: all; node-scope checks are "
      "drawn only then)");
  cmds.push_back({sub, [args]() { return spot_check_action(*args); }});
}

} // namespace gpucert::cli
