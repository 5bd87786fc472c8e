// gpucert-simlot --nodes N --out DIR [--seed S] [--faulty 2%] [--fault-kind T]... [--outliers F]:
// writes a lot of N simulated node certificates (DIR/<hostname>/certificate.json) and
// DIR/manifest.json saying which nodes are faulty and which GPUs were made outliers. Every
// certificate is stamped SIMULATED. For `gpucert fleet` tests, demos and benchmarks.
#include "apps/simlot/lot_generator.hpp"
#include "gpucert/version.hpp"
#include "harness/core/error.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

namespace {
// "10%" and "10" both mean ten per cent.
std::string strip_percent(std::string s) {
  while (!s.empty() && (s.back() == '%' || s.back() == ' '))
    s.pop_back();
  return s;
}
} // namespace

int main(int argc, char** argv) {
  using gpucert::simlot::LotSpec;
  LotSpec spec;
  std::string out;
  std::vector<std::string> kinds;
  double faulty_pct = spec.faulty_fraction * 100, outlier_pct = spec.outlier_fraction * 100;
  double drop_pct = spec.outlier_drop * 100, gpu_pct = spec.gpu_spread * 100,
         node_pct = spec.node_spread * 100;
  CLI::App app{"gpucert-simlot: write a lot of simulated node certificates (all SIMULATED) with "
               "planted faults and outliers, and a manifest of what was planted"};
  app.set_version_flag("--version", fmt::format("gpucert-simlot {}", gpucert::kToolVersion));
  app.add_option("--nodes", spec.nodes, "nodes in the lot")
      ->required()
      ->check(CLI::Range(1, 1000000));
  app.add_option("--out", out, "directory for <hostname>/certificate.json and manifest.json")
      ->required();
  app.add_option("--seed", spec.seed, "seed of everything drawn (default 1)");
  app.add_option("--profile", spec.profile, "profile the nodes are certified against")
      ->capture_default_str();
  app.add_option("--simulate", spec.node, "simulator node")->capture_default_str();
  app.add_option("--host-prefix", spec.host_prefix, "hostnames are PREFIX00001, ...")
      ->capture_default_str();
  app.add_option("--faulty", faulty_pct, "% of nodes given one fault")
      ->transform(strip_percent)
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  app.add_option("--fault-kind", kinds,
                 "fault token with N (and M) for drawn GPU indices, e.g. gpuN:hbm=0.9 or "
                 "gpuN-gpuM:nvlink=0.5 (repeatable; default: six kinds, in turn)");
  app.add_option("--outliers", outlier_pct,
                 "% of the made nodes' GPUs slowed on GEMM, above every floor")
      ->transform(strip_percent)
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  app.add_option("--outlier-drop", drop_pct, "how much slower, in %")
      ->transform(strip_percent)
      ->capture_default_str();
  app.add_option("--gpu-spread", gpu_pct, "σ of a GPU's speed around its node's, in %")
      ->transform(strip_percent)
      ->capture_default_str()
      ->check(CLI::Range(0.0, 20.0));
  app.add_option("--node-spread", node_pct, "σ of a node's speed around the fleet's, in %")
      ->transform(strip_percent)
      ->capture_default_str()
      ->check(CLI::Range(0.0, 20.0));
  app.add_option("--templates", spec.templates, "healthy nodes simulated in full")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--threads", spec.threads, "worker threads (default: one per core)");
  app.add_flag("--with-results", spec.write_results, "also write each node's results.json");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  spec.faulty_fraction = faulty_pct / 100;
  spec.outlier_fraction = outlier_pct / 100;
  spec.outlier_drop = drop_pct / 100;
  spec.gpu_spread = gpu_pct / 100;
  spec.node_spread = node_pct / 100;
  if (!kinds.empty())
    spec.fault_kinds = kinds;
  try {
    const auto m = gpucert::simlot::generate_lot(spec, out);
    fmt::print("SIMULATED lot: {} nodes ({} faulty, {} outlier GPUs planted) in {} ({:.1f} s); "
               "manifest {}/manifest.json\n",
               spec.nodes, m.faulty.size(), m.outliers.size(), out, m.seconds, out);
    return 0;
  } catch (const gpucert::Error& e) {
    fmt::print(stderr, "gpucert-simlot: {}\n", e.what());
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    fmt::print(stderr, "gpucert-simlot: internal error: {}\n", e.what());
    return 4;
  }
}
