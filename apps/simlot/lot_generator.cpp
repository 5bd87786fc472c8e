#include "apps/simlot/lot_generator.hpp"

#include "harness/backends/make_backend.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/certify/atomic_file.hpp"
#include "harness/certify/certify_run.hpp"
#include "harness/core/error.hpp"
#include "harness/evaluate/evaluate.hpp"
#include "harness/model/certificate_compact.hpp"
#include "harness/profile/profile_search.hpp"
#include "harness/stats/statistic_fn.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fmt/core.h>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace gpucert::simlot {

namespace fs = std::filesystem;

namespace {

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Uniform in [0, 1) and standard normal draws defined here, not by the standard library's
// implementation-defined distributions: the same seed gives the same lot everywhere.
double uniform(std::mt19937_64& g) {
  return double(g() >> 11) * 0x1.0p-53;
}
double normal(std::mt19937_64& g) {
  const double u1 = 1 - uniform(g), u2 = uniform(g);
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
}
std::uint64_t below(std::mt19937_64& g, std::uint64_t n) {
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  for (;;)
    if (const std::uint64_t x = g(); x < limit)
      return x % n;
}

std::string family_of(const std::string& benchmark) {
  return benchmark.substr(0, benchmark.find('.'));
}

std::string substitute(std::string token, int n, int m) {
  auto put = [&](const std::string& from, int v) {
    for (std::size_t p; (p = token.find(from)) != std::string::npos;)
      token.replace(p, from.size(), "gpu" + std::to_string(v));
  };
  put("gpuN", n);
  put("gpuM", m);
  return token;
}

struct NodePlan {
  std::string hostname;
  std::uint64_t seed = 0;
  std::string fault; ///< "" healthy
  int templ = -1;    ///< the template a healthy non-template node is made from
  bool is_template = false;
  std::map<int, double> slow_gemm; ///< planted outliers: GPU → factor
};

void write_node(const fs::path& dir, const report::Certificate& cert, const Results* results) {
  fs::create_directories(dir);
  certify::write_file_atomic((dir / "certificate.json").string(), report::certificate_text(cert));
  if (results)
    certify::write_file_atomic((dir / "results.json").string(), gpucert::to_json(*results).dump(1));
}

// Whether a metric grows with speed (work per second) or shrinks with it (time per item),
// read from the samples themselves: metric × seconds is constant for the first.
int speed_exponent(const Measurement& m, const std::vector<double>& v) {
  for (std::size_t i = 1; i < v.size() && i < m.seconds.size(); ++i) {
    if (m.seconds[i] == m.seconds[0])
      continue;
    const double a = v[0] * m.seconds[0], b = v[i] * m.seconds[i];
    return std::fabs(a - b) <= 1e-6 * std::fabs(a) ? 1 : -1;
  }
  return 1;
}

// A template's results as another node: its identity, its samples resampled, its speed.
Results transform(const Results& tmpl, const NodePlan& plan, const LotSpec& spec,
                  const Inventory& inv, std::mt19937_64& g) {
  Results r = tmpl;
  r.inventory_before = inv;
  if (r.inventory_after)
    r.inventory_after = inv;
  r.provenance["sim"] = {{"seed", plan.seed}, {"hostname", plan.hostname}, {"node", spec.node}};
  r.provenance["simlot"] = {{"template", plan.templ}, {"seed", plan.seed}};

  const int gpus = static_cast<int>(inv.gpus.size());
  const double node_f = 1 + spec.node_spread * normal(g);
  std::map<std::string, std::vector<double>> gpu_f; // family → per-GPU speed
  for (const char* fam : {"gemm", "hbm", "pcie", "p2p", "nccl", "launch"}) {
    auto& f = gpu_f[fam];
    for (int i = 0; i < gpus; ++i)
      f.push_back(1 + spec.gpu_spread * normal(g));
  }
  for (const auto& [gpu, factor] : plan.slow_gemm)
    if (gpu < gpus)
      gpu_f["gemm"][gpu] *= factor;

  // The template's own per-target pattern is taken out first (each target to its experiment's
  // median over targets), so that nodes made from one template do not share their GPUs' spread.
  std::map<std::string, std::vector<double>> group_medians;
  std::vector<double> target_median(r.measurements.size(), NAN);
  for (std::size_t i = 0; i < r.measurements.size(); ++i) {
    const Measurement& m = r.measurements[i];
    if (m.status != MeasurementStatus::ok || m.seconds.empty())
      continue;
    std::vector<double> s = m.seconds;
    std::sort(s.begin(), s.end());
    target_median[i] = stats::quantile_sorted(s, 0.5);
    std::string group = m.benchmark + "|" + to_string(m.target.scope);
    for (const auto& [k, v] : m.params)
      group += "|" + k + "=" + v;
    group_medians[group].push_back(target_median[i]);
  }
  for (auto& [k, v] : group_medians)
    std::sort(v.begin(), v.end());

  for (std::size_t i = 0; i < r.measurements.size(); ++i) {
    Measurement& m = r.measurements[i];
    if (!std::isfinite(target_median[i]))
      continue;
    std::string group = m.benchmark + "|" + to_string(m.target.scope);
    for (const auto& [k, v] : m.params)
      group += "|" + k + "=" + v;
    const double norm = stats::quantile_sorted(group_medians[group], 0.5) / target_median[i];
    const auto& f = gpu_f[family_of(m.benchmark)];
    double speed = node_f;
    if (!f.empty() && !m.target.gpus.empty()) {
      double slowest = INFINITY;
      for (int gi : m.target.gpus)
        if (gi >= 0 && gi < gpus)
          slowest = std::min(slowest, f[gi]);
      if (std::isfinite(slowest))
        speed *= slowest; // a pair or a collective goes at its slowest GPU's pace
    }
    const double scale = norm / speed; // seconds' factor
    const std::size_t n = m.seconds.size();
    std::vector<std::size_t> pick(n);
    for (auto& p : pick)
      p = below(g, n);
    std::vector<double> secs(n);
    for (std::size_t k = 0; k < n; ++k)
      secs[k] = m.seconds[pick[k]] * scale;
    for (auto& [name, values] : m.metrics) {
      if (values.size() != n)
        continue;
      const int e = speed_exponent(m, values);
      std::vector<double> out(n);
      for (std::size_t k = 0; k < n; ++k)
        out[k] = values[pick[k]] * std::pow(scale, -e);
      values = std::move(out);
    }
    m.seconds = std::move(secs);
  }
  return r;
}

Results simulate(const profile::Profile& prof, const LotSpec& spec, const NodePlan& plan) {
  backends::NodeOptions o;
  o.simulate = spec.node;
  o.seed = std::to_string(plan.seed);
  o.hostname = plan.hostname;
  if (!plan.fault.empty())
    o.faults = {plan.fault};
  std::unique_ptr<Backend> b = backends::make_backend(o);
  certify::RunOptions ro;
  ro.provenance = {{"command", "gpucert-simlot"}, {"simulate", spec.node}, {"faults", o.faults}};
  ro.provenance["sim"] = backends::sim_provenance(*b);
  return certify::run_certification(builtin_registry(), prof, *b, ro).results;
}

Inventory inventory_of(const LotSpec& spec, const NodePlan& plan) {
  backends::NodeOptions o;
  o.simulate = spec.node;
  o.seed = std::to_string(plan.seed);
  o.hostname = plan.hostname;
  return backends::make_backend(o)->inventory();
}

} // namespace

nlohmann::json to_json(const Manifest& m) {
  nlohmann::json faulty = nlohmann::json::array(), outliers = nlohmann::json::array();
  for (const auto& [h, f] : m.faulty)
    faulty.push_back({{"hostname", h}, {"fault", f}});
  for (const auto& o : m.outliers)
    outliers.push_back({{"hostname", o.hostname},
                        {"gpu", o.gpu},
                        {"gpu_uuid", o.gpu_uuid},
                        {"family", o.family},
                        {"factor", o.factor}});
  const LotSpec& s = m.spec;
  return {{"schema", "gpucert/simlot-manifest/v1"},
          {"simulated", true},
          {"spec",
           {{"nodes", s.nodes},
            {"profile", s.profile},
            {"node", s.node},
            {"seed", s.seed},
            {"faulty_fraction", s.faulty_fraction},
            {"fault_kinds", s.fault_kinds},
            {"outlier_fraction", s.outlier_fraction},
            {"outlier_drop", s.outlier_drop},
            {"gpu_spread", s.gpu_spread},
            {"node_spread", s.node_spread},
            {"templates", s.templates}}},
          {"hostnames", m.hostnames},
          {"faulty", faulty},
          {"outliers", outliers},
          {"seconds", m.seconds}};
}

Manifest generate_lot(const LotSpec& spec, const fs::path& out) {
  const auto t0 = std::chrono::steady_clock::now();
  if (spec.nodes < 1)
    throw InputError("--nodes must be at least 1");
  if (spec.templates < 1)
    throw InputError("--templates must be at least 1");
  if (!(spec.faulty_fraction >= 0 && spec.faulty_fraction <= 1))
    throw InputError("--faulty must lie in [0, 1]");
  if (!(spec.outlier_fraction >= 0 && spec.outlier_fraction <= 1))
    throw InputError("--outliers must lie in [0, 1]");
  if (!(spec.outlier_drop > 0 && spec.outlier_drop < 0.5))
    throw InputError("--outlier-drop must lie in (0, 0.5)");
  if (spec.faulty_fraction > 0 && spec.fault_kinds.empty())
    throw InputError("--faulty needs at least one --fault-kind");
  const profile::Profile prof =
      profile::load_profile(builtin_registry(), profile::resolve_profile_path(spec.profile), {});

  Manifest man;
  man.spec = spec;
  std::mt19937_64 g(spec.seed);
  const int digits = std::max(5, int(std::to_string(spec.nodes).size()));
  std::vector<NodePlan> plans(static_cast<std::size_t>(spec.nodes));
  for (int i = 0; i < spec.nodes; ++i) {
    plans[i].hostname = fmt::format("{}{:0{}}", spec.host_prefix, i + 1, digits);
    plans[i].seed = splitmix(spec.seed ^ splitmix(std::uint64_t(i) + 1)) >> 11;
    man.hostnames.push_back(plans[i].hostname);
  }
  const Inventory probe = inventory_of(spec, plans.front());
  const int gpus = static_cast<int>(probe.gpus.size());

  // Faulty nodes: a partial shuffle picks them; each gets the next fault kind, on drawn GPUs.
  const int n_faulty = int(std::lround(spec.nodes * spec.faulty_fraction));
  std::vector<int> order(static_cast<std::size_t>(spec.nodes));
  for (int i = 0; i < spec.nodes; ++i)
    order[i] = i;
  for (int i = 0; i < n_faulty; ++i)
    std::swap(order[i], order[i + int(below(g, std::uint64_t(spec.nodes - i)))]);
  std::vector<int> faulty(order.begin(), order.begin() + n_faulty);
  std::sort(faulty.begin(), faulty.end());
  for (std::size_t k = 0; k < faulty.size(); ++k) {
    int a = int(below(g, std::uint64_t(gpus))), b = int(below(g, std::uint64_t(gpus - 1)));
    if (b >= a)
      ++b;
    if (a > b)
      std::swap(a, b);
    const std::string& kind = spec.fault_kinds[k % spec.fault_kinds.size()];
    // A one-GPU fault uses N, drawn anywhere; a pair fault N < M.
    const bool pair = kind.find("gpuM") != std::string::npos;
    plans[faulty[k]].fault = pair ? substitute(kind, a, b) : substitute(kind, a, a);
    man.faulty.emplace_back(plans[faulty[k]].hostname, plans[faulty[k]].fault);
  }
  // Templates: the first healthy nodes, simulated in full.
  std::vector<int> templates, made;
  for (int i = 0; i < spec.nodes; ++i) {
    if (!plans[i].fault.empty())
      continue;
    if (int(templates.size()) < spec.templates) {
      plans[i].is_template = true;
      templates.push_back(i);
    } else {
      plans[i].templ = int(made.size() % templates.size());
      made.push_back(i);
    }
  }
  // Planted outliers, on made nodes only (their speed is ours to set).
  const long long made_gpus = (long long)made.size() * gpus;
  const int n_out = int(std::lround(double(made_gpus) * spec.outlier_fraction));
  std::set<long long> chosen;
  while (int(chosen.size()) < std::min<long long>(n_out, made_gpus))
    chosen.insert((long long)below(g, std::uint64_t(made_gpus)));
  for (long long c : chosen) {
    NodePlan& p = plans[made[std::size_t(c / gpus)]];
    p.slow_gemm[int(c % gpus)] = 1 - spec.outlier_drop;
  }

  std::error_code ec;
  fs::create_directories(out, ec);
  if (!fs::is_directory(out, ec))
    throw InputError(fmt::format("--out {}: cannot create the directory", out.string()));

  // Templates and faulty nodes first (full simulations), then the made nodes from templates.
  std::vector<Results> tmpl(templates.size());
  std::vector<int> full;
  for (int i = 0; i < spec.nodes; ++i)
    if (plans[i].is_template || !plans[i].fault.empty())
      full.push_back(i);
  // Read the node file once before any worker starts: its YAML is probed in a child process
  // while this process is single-threaded, and the workers find it already checked.
  (void)inventory_of(spec, plans[0]);
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const unsigned threads = spec.threads > 0 ? unsigned(spec.threads) : hw;
  std::mutex err_mu;
  std::string first_error;
  auto parallel = [&](const std::vector<int>& items, auto&& body) {
    std::atomic<std::size_t> next{0};
    auto work = [&] {
      for (std::size_t k; (k = next.fetch_add(1)) < items.size();) {
        try {
          body(items[k]);
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lock(err_mu);
          if (first_error.empty())
            first_error = fmt::format("{}: {}", plans[items[k]].hostname, e.what());
        }
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < std::min<std::size_t>(threads, items.size()); ++t)
      pool.emplace_back(work);
    work();
    for (auto& t : pool)
      t.join();
    if (!first_error.empty())
      throw InputError(first_error);
  };
  parallel(full, [&](int i) {
    const NodePlan& p = plans[i];
    Results r = simulate(prof, spec, p);
    write_node(out / p.hostname, evaluate::evaluate(prof, r), spec.write_results ? &r : nullptr);
    if (p.is_template)
      tmpl[std::size_t(std::find(templates.begin(), templates.end(), i) - templates.begin())] =
          std::move(r);
  });
  parallel(made, [&](int i) {
    const NodePlan& p = plans[i];
    std::mt19937_64 ng(p.seed);
    const Inventory inv = inventory_of(spec, p);
    const Results r = transform(tmpl[std::size_t(p.templ)], p, spec, inv, ng);
    write_node(out / p.hostname, evaluate::evaluate(prof, r), spec.write_results ? &r : nullptr);
  });
  for (long long c : chosen) {
    const NodePlan& p = plans[made[std::size_t(c / gpus)]];
    const int gpu = int(c % gpus);
    const Inventory inv = inventory_of(spec, p);
    man.outliers.push_back(
        {p.hostname, inv.gpus[gpu].uuid.value_or(""), "gemm", gpu, 1 - spec.outlier_drop});
  }
  std::sort(man.outliers.begin(), man.outliers.end(),
            [](const PlantedOutlier& a, const PlantedOutlier& b) {
              return std::tie(a.hostname, a.gpu) < std::tie(b.hostname, b.gpu);
            });
  man.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  certify::write_file_atomic((out / "manifest.json").string(), to_json(man).dump(1) + "\n");
  return man;
}

} // namespace gpucert::simlot
