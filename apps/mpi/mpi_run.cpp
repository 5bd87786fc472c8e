// gpucert-mpi's run (see mpi_run.hpp): phases, each one report per rank to rank 0 under a
// deadline and one decision back; results assembled and written by rank 0.
#include "apps/mpi/mpi_run.hpp"

#include "gpucert/version.hpp"
#include "harness/backends/sim/sim_backend.hpp"
#include "harness/backends/make_backend.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/certify/atomic_file.hpp"
#include "harness/collectives/collective.hpp"
#include "harness/collectives/nccl_env.hpp"
#include "harness/collectives/sweep.hpp"
#include "harness/core/utc_time.hpp"
#include "harness/measure/benchmark.hpp"
#include "harness/model/results.hpp"
#include "harness/stats/interval.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fmt/core.h>
#include <fmt/format.h>
#include <functional>
#include <thread>
#include <unistd.h>
#if defined(GPUCERT_HAVE_NCCL)
#include "harness/backends/cuda/nccl_collective.hpp"

#include <cuda_runtime_api.h>
#endif

namespace gpucert::coll::mpi {

namespace {

using nlohmann::json;

enum Decision : int { kGo = 0, kSkip = 1, kFailMeasurement = 2, kStopRun = 3 };

/// Creating the communicator and the first (connecting) collective may take this long on top
/// of the user's per-sample deadline (matches the instance's own limit).
constexpr double kInitAllowanceS = 330;

struct Planned {
  const Collective* coll = nullptr;
  const BenchmarkDef* def = nullptr;
  Params params;
};

std::vector<Planned> make_plan(const MpiOptions& o) {
  if (o.samples < 1)
    throw InputError(fmt::format("--samples {}: must be at least 1", o.samples));
  if (o.warmup < 0)
    throw InputError(fmt::format("--warmup {}: must be 0 or more", o.warmup));
  if (!(o.timeout_s > 0))
    throw InputError(fmt::format("--timeout {}: must be above 0 seconds", o.timeout_s));
  if (o.out.empty())
    throw InputError("--out FILE is required (rank 0 writes the results there)");
  if (o.collectives.empty())
    throw InputError("--collective: name at least one collective");
  const auto sizes = parse_sweep(o.bytes);
  std::vector<Planned> plan;
  for (const auto& name : o.collectives) {
    std::vector<const Collective*> which;
    if (name == "all")
      for (const auto& c : collectives())
        which.push_back(&c);
    else
      which.push_back(&collective_by_name(name));
    for (const Collective* c : which) {
      const BenchmarkDef* def = builtin_registry().find(fmt::format("nccl.{}", c->name));
      if (def == nullptr)
        throw InternalError(fmt::format("nccl.{} is not registered", c->name));
      for (std::uint64_t size : sizes) {
        const Params given = {{"bytes", std::to_string(size)},
                              {"dtype", o.dtype},
                              {"inplace", o.inplace ? "true" : "false"},
                              {"iters", std::to_string(o.iters)},
                              {"graph", o.graph ? "true" : "false"}};
        plan.push_back({c, def, Registry::resolve(*def, given)});
      }
    }
  }
  return plan;
}

/// Test hook: GPUCERT_TEST_HANG_RANK=R makes rank R stop answering at phase
/// GPUCERT_TEST_HANG_AT ("rendezvous", the default, or "sample"), as a hung process would.
void maybe_hang(const std::string& phase, int rank) {
  const char* r = std::getenv("GPUCERT_TEST_HANG_RANK");
  if (r == nullptr || std::atoi(r) != rank || *r == '\0')
    return;
  const char* at = std::getenv("GPUCERT_TEST_HANG_AT");
  if ((at != nullptr && *at != '\0' ? std::string(at) : std::string("rendezvous")) != phase)
    return;
  std::fprintf(stderr, "gpucert-mpi: rank %d: test hook GPUCERT_TEST_HANG_RANK: hanging at %s\n",
               rank, phase.c_str());
  for (int i = 0; i < 3600; ++i)
    std::this_thread::sleep_for(std::chrono::seconds(1));
}

std::string processor_name() {
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int len = 0;
  if (MPI_Get_processor_name(name, &len) != MPI_SUCCESS)
    return "unknown-host";
  return std::string(name, static_cast<size_t>(len));
}

/// The rank's index among the ranks of its host, from the launcher's environment (Open MPI,
/// Slurm, MPICH/Hydra): no collective call, so a missing rank cannot hang the others here.
int local_rank() {
  for (const char* var : {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID", "MPI_LOCALRANKID",
                          "PMI_LOCAL_RANK", "MV2_COMM_WORLD_LOCAL_RANK"}) {
    const char* v = std::getenv(var);
    if (v == nullptr || *v == '\0')
      continue;
    char* end = nullptr;
    const long r = std::strtol(v, &end, 10);
    if (end != v && *end == '\0' && r >= 0)
      return static_cast<int>(r);
  }
  return 0; // a singleton or an unknown launcher: one rank on this host
}

std::string mpi_library() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int len = 0;
  MPI_Get_library_version(text, &len);
  std::string s(text, static_cast<size_t>(len));
  if (const auto nl = s.find('\n'); nl != std::string::npos)
    s.resize(nl);
  return s;
}

std::string ranks_text(const std::vector<int>& ranks) {
  return fmt::format("{}", fmt::join(ranks, ", "));
}

class Run {
public:
  Run(const MpiOptions& o, RankChannel& ch) : o_(o), ch_(ch), sim_(!o.simulate.empty()) {}

  ExitCode execute() {
    plan_ = make_plan(o_); // input errors: identical on every rank, before any exchange
    try {
      return phases();
    } catch (const std::exception& e) {
      // From here on an exception is this rank's alone: the others would wait for it, so end
      // the job now rather than let them run into their deadlines.
      const int code =
          static_cast<int>(dynamic_cast<const Error*>(&e) ? dynamic_cast<const Error&>(e).code()
                                                          : ExitCode::internal);
      std::fprintf(stderr, "gpucert-mpi: rank %d: %s; aborting the job\n", ch_.rank(), e.what());
      std::fflush(nullptr);
      MPI_Abort(MPI_COMM_WORLD, code);
      return static_cast<ExitCode>(code);
    }
  }

private:
  ExitCode phases() {
    started_ = utc_now_iso8601();
    env_ = read_nccl_environment();
    if (ch_.root() && !sim_)
      warn_forced_tuning(env_);

    // Start-up: who is where, before anything that touches a GPU (and could hang there), so a
    // rank that then goes silent is named with its host.
    const json hello{{"rank", ch_.rank()},
                     {"host", processor_name()},
                     {"local_rank", local_rank()},
                     {"pid", static_cast<long>(getpid())}};
    round("start-up", hello, o_.timeout_s, [&](const std::vector<json>& reports) {
      ranks_ = reports;
      return int(kGo);
    });
    maybe_hang("rendezvous", ch_.rank());
    const auto rdv =
        round("rendezvous", identify(), o_.timeout_s, [&](const std::vector<json>& reports) {
          for (size_t r = 0; r < reports.size(); ++r)
            ranks_[r].update(reports[r]);
          for (const auto& r : reports)
            if (r.contains("error"))
              return int(kStopRun);
          return int(kGo);
        });
    if (rdv != kGo)
      return stop_everything("rendezvous", ExitCode::environment);

    if (!communicator())
      return stop_everything("communicator", ExitCode::environment);

    for (size_t i = 0; i < plan_.size(); ++i) {
      current_ = i;
      if (!measure_one(plan_[i])) {
        for (size_t j = i + 1; j < plan_.size(); ++j)
          record_not_run(plan_[j], "not run: the run stopped after " + plan_[i].def->name + " (" +
                                       stop_reason_ + ")");
        break;
      }
    }
    if (!ch_.barrier(phase_timeout(false))) {
      if (ch_.root())
        std::fprintf(stderr,
                     "gpucert-mpi: warning: not every rank reached the final barrier "
                     "within %.0f s\n",
                     phase_timeout(false));
    }
    if (!ch_.root())
      return ExitCode::certified;
    write_results();
    print_table();
    for (const auto& m : results_.measurements)
      if (m.status == MeasurementStatus::error || m.status == MeasurementStatus::incorrect)
        return ExitCode::not_certified;
    return ExitCode::certified;
  }

  // ---- phases (every rank) -------------------------------------------------------------------

  /// Root's straggler deadline for a phase. On the simulator nothing takes real time; on GPUs a
  /// rank's own watchdog fires at timeout_s, so rank 0 waits longer to hear about it first.
  double phase_timeout(bool includes_init) const {
    if (sim_)
      return o_.timeout_s;
    return 2 * o_.timeout_s + 10 + (includes_init ? kInitAllowanceS : 0);
  }
  /// How long a non-root rank waits for rank 0's decision before it concludes rank 0 is gone.
  double decision_timeout() const { return 2 * phase_timeout(true) + 60; }

  json identify() {
    json me{{"rank", ch_.rank()},
            {"host", processor_name()},
            {"local_rank", local_rank()},
            {"pid", static_cast<long>(getpid())}};
    try {
      if (sim_) {
        auto base = backends::make_backend({o_.simulate, o_.faults, ""});
        auto* s = dynamic_cast<sim::SimBackend*>(base.get());
        if (s == nullptr)
          throw InternalError("--simulate did not give a simulated backend");
        if (ch_.size() > s->node().gpu_count)
          throw InputError(
              fmt::format("{} ranks but simulated node {} has {} GPUs: a simulated MPI "
                          "run models one node, one rank per GPU",
                          ch_.size(), s->node().name, s->node().gpu_count));
        std::vector<int> all;
        for (int r = 0; r < ch_.size(); ++r)
          all.push_back(r);
        gpu_ = ch_.rank();
        // Each rank its own noise stream, as each real GPU has its own timing jitter.
        backend_ = std::make_unique<sim::SimBackend>(s->node(), s->faults(), all,
                                                     1 + static_cast<std::uint64_t>(ch_.rank()));
      } else {
#if defined(GPUCERT_HAVE_NCCL)
        int count = 0;
        if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
          (void)cudaGetLastError();
          throw EnvironmentError("no CUDA device visible to this rank");
        }
        gpu_ = me["local_rank"].get<int>() % count;
        backend_ = backends::make_backend({"", {}, std::to_string(gpu_)});
#else
        throw EnvironmentError(
            "this gpucert-mpi was built without CUDA/NCCL: only --simulate NODE works");
#endif
      }
      me["gpu"] = gpu_;
      Inventory inv = backend_->inventory();
      std::erase_if(inv.gpus, [&](const GpuInfo& g) { return g.index != gpu_; });
      me["inventory"] = to_json(inv);
    } catch (const Error& e) {
      me["error"] = e.what();
      me["exit"] = static_cast<int>(e.code());
    } catch (const std::exception& e) {
      me["error"] = e.what();
      me["exit"] = static_cast<int>(ExitCode::internal);
    }
    return me;
  }

  /// Rank 0 names the communicator; every rank joins it. On the simulator a marker id travels
  /// the same MPI_Bcast so the plumbing is exercised.
  bool communicator() {
    std::array<char, 128> id{};
    json mine = json::object();
    if (ch_.root()) {
      if (sim_) {
        std::snprintf(id.data(), id.size(), "gpucert-sim-unique-id/%d", ch_.size());
      } else {
#if defined(GPUCERT_HAVE_NCCL)
        try {
          id = cuda::nccl_unique_id();
        } catch (const std::exception& e) {
          mine["error"] = fmt::format("ncclGetUniqueId: {}", e.what());
        }
#endif
      }
    }
    ch_.broadcast(id.data(), static_cast<int>(id.size()));
    if (sim_) {
      const std::string want = fmt::format("gpucert-sim-unique-id/{}", ch_.size());
      if (std::string(id.data()) != want)
        mine["error"] = "the broadcast unique id arrived corrupted";
    } else if (!mine.contains("error")) {
#if defined(GPUCERT_HAVE_NCCL)
      try {
        clique_ = cuda::make_rank_clique(id, ch_.size(), ch_.rank(), gpu_, kInitAllowanceS);
      } catch (const std::exception& e) {
        mine["error"] = e.what();
      }
#endif
    }
    const int d =
        round("communicator", mine, phase_timeout(true), [&](const std::vector<json>& reports) {
          std::vector<std::string> errors;
          for (size_t r = 0; r < reports.size(); ++r)
            if (reports[r].contains("error"))
              errors.push_back(fmt::format("{}: {}", who(static_cast<int>(r)),
                                           reports[r]["error"].get<std::string>()));
          if (errors.empty())
            return int(kGo);
          stop_reason_ = fmt::format("communicator: {}", fmt::join(errors, "; "));
          return int(kStopRun);
        });
    return d == kGo;
  }

  /// One planned measurement on every rank. False when the run must stop (the communicator is
  /// gone); the measurement is recorded either way.
  bool measure_one(const Planned& p) {
    Measurement m;
    if (ch_.root())
      start_measurement(m, p);
    std::unique_ptr<BenchmarkInstance> inst;

    // setup
    json mine = json::object();
    try {
      inst = make_instance(p);
      std::string skip = inst->skip_reason();
      if (skip.empty()) {
        inst->setup();
        skip = inst->skip_reason();
      }
      if (!skip.empty())
        mine["skip"] = skip;
    } catch (const std::exception& e) {
      mine["error"] = fmt::format("setup: {}", e.what());
      mine["fatal"] = communicator_lost();
    }
    int d = round("setup of " + p.def->name, mine, phase_timeout(true),
                  [&](const std::vector<json>& r) { return decide_failure(r, m, "setup"); });
    if (d == kSkip) {
      if (ch_.root()) {
        m.status = MeasurementStatus::skipped;
        m.message = first_field(last_reports_, "skip");
        m.stop_reason = "skipped";
      }
      return finish(m, true);
    }
    if (d != kGo)
      return finish(m, d == kFailMeasurement);

    const Work work = inst->work();
    if (ch_.root()) {
      m.bytes_per_sample = work.bytes;
      m.flops_per_sample = work.flops;
      m.items_per_sample = work.items;
      m.warmup_samples = o_.warmup;
    }
    std::unique_ptr<TelemetrySampler> sampler;
    try {
      sampler = backend_->telemetry({sim_ ? ch_.rank() : gpu_});
    } catch (const std::exception&) {
      sampler.reset();
    }

    std::vector<std::vector<double>> rank_seconds(static_cast<size_t>(ch_.size()));
    for (int s = 0; s < o_.warmup + o_.samples; ++s) {
      const bool timed = s >= o_.warmup;
      if (s == o_.warmup && sampler) {
        try {
          sampler->start();
        } catch (const std::exception&) {
          sampler.reset();
        }
      }
      if (current_ == 0 && s == 0)
        maybe_hang("sample", ch_.rank());
      json report = json::object();
      try {
        report["t"] = inst->sample();
      } catch (const std::exception& e) {
        report["error"] = fmt::format("sample {}: {}", s + 1, e.what());
        report["fatal"] = communicator_lost();
      }
      d = round(fmt::format("sample {} of {}", s + 1, p.def->name), report, phase_timeout(false),
                [&](const std::vector<json>& r) {
                  const int f = decide_failure(r, m, timed ? "sample" : "warm-up");
                  if (f != kGo || !timed)
                    return f;
                  double slowest = 0;
                  for (size_t k = 0; k < r.size(); ++k) {
                    const double t = r[k]["t"].get<double>();
                    rank_seconds[k].push_back(t);
                    slowest = std::max(slowest, t);
                  }
                  record_sample(m, p, work, slowest);
                  return int(kGo);
                });
      if (d != kGo)
        return finish(m, d == kFailMeasurement);
    }

    std::map<int, TelemetrySummary> telemetry;
    if (sampler) {
      try {
        telemetry = sampler->stop();
      } catch (const std::exception&) {
      }
    }
    json check = json::object();
    try {
      const Verification v = inst->verify();
      check["verification"] = {{"checked", v.checked}, {"passed", v.passed}, {"detail", v.detail}};
      check["evidence"] = inst->evidence();
    } catch (const std::exception& e) {
      check["error"] = fmt::format("verify: {}", e.what());
      check["fatal"] = communicator_lost();
    }
    if (!telemetry.empty())
      check["telemetry"] = to_json(telemetry.begin()->second);
    d = round("result check of " + p.def->name, check, phase_timeout(false),
              [&](const std::vector<json>& r) {
                const int f = decide_failure(r, m, "verify");
                if (f != kGo)
                  return f;
                merge_check(m, r, rank_seconds);
                return int(kGo);
              });
    if (d != kGo)
      return finish(m, d == kFailMeasurement);
    return finish(m, true);
  }

  std::unique_ptr<BenchmarkInstance> make_instance(const Planned& p) {
    Target t{Scope::node, {}};
    for (int r = 0; r < ch_.size(); ++r)
      t.gpus.push_back(r);
    if (sim_)
      return backend_->create(*p.def, p.params, t);
#if defined(GPUCERT_HAVE_NCCL)
    return cuda::make_nccl_collective(clique_, p.params, *p.coll, o_.timeout_s);
#else
    throw EnvironmentError("built without NCCL");
#endif
  }

  bool communicator_lost() const {
#if defined(GPUCERT_HAVE_NCCL)
    // After an abort the communicator is gone on this rank: the run cannot go on.
    return !sim_ && clique_ != nullptr && cuda::clique_aborted(*clique_);
#else
    return false;
#endif
  }

  /// One exchange: every rank reports; rank 0 makes sure all arrived (else it records the
  /// straggler and aborts the job) and decides; everyone returns the decision.
  int round(const std::string& phase, const json& mine, double timeout_s,
            const std::function<int(const std::vector<json>&)>& decide) {
    if (!ch_.root()) {
      ch_.gather(mine, timeout_s);
      const auto d = ch_.decide(kGo, decision_timeout());
      if (!d) {
        std::fprintf(
            stderr,
            "gpucert-mpi: rank %d: rank 0 gave no decision after %s within %.0f s; aborting\n",
            ch_.rank(), phase.c_str(), decision_timeout());
        MPI_Abort(MPI_COMM_WORLD, static_cast<int>(ExitCode::not_certified));
      }
      return *d;
    }
    auto g = ch_.gather(mine, timeout_s);
    if (!g.missing.empty())
      straggler(phase, g, timeout_s);
    std::vector<json> reports;
    for (auto& pl : g.payloads)
      reports.push_back(std::move(*pl));
    last_reports_ = reports;
    const int d = decide(reports);
    ch_.decide(d, decision_timeout());
    return d;
  }

  // ---- rank 0 -------------------------------------------------------------------------------

  std::string who(int rank) const {
    if (rank >= 0 && static_cast<size_t>(rank) < ranks_.size() && ranks_[rank].is_object()) {
      const json& r = ranks_[rank];
      return fmt::format("rank {} (host {}, gpu {})", rank, r.value("host", "?"),
                         r.contains("gpu") ? std::to_string(r["gpu"].get<int>()) : "?");
    }
    return fmt::format("rank {} (host unknown: it never reported)", rank);
  }

  std::string first_field(const std::vector<json>& reports, const char* key) const {
    for (const auto& r : reports)
      if (r.contains(key))
        return r[key].get<std::string>();
    return {};
  }

  /// Errors and skips reported by the ranks → the decision; records the failure in `m`.
  int decide_failure(const std::vector<json>& reports, Measurement& m, const std::string& phase) {
    std::vector<std::string> errors;
    bool fatal = false, skip = false;
    for (size_t r = 0; r < reports.size(); ++r) {
      if (reports[r].contains("error")) {
        errors.push_back(fmt::format("{}: {}", who(static_cast<int>(r)),
                                     reports[r]["error"].get<std::string>()));
        fatal = fatal || reports[r].value("fatal", false);
      }
      skip = skip || reports[r].contains("skip");
    }
    if (!errors.empty()) {
      m.status = MeasurementStatus::error;
      m.message = fmt::format("{}", fmt::join(errors, "; "));
      m.stop_reason = "error";
      if (fatal)
        stop_reason_ = fmt::format("{} failed and the NCCL communicator was aborted", phase);
      return fatal ? kStopRun : kFailMeasurement;
    }
    return skip ? kSkip : kGo;
  }

  void start_measurement(Measurement& m, const Planned& p) {
    m.benchmark = p.def->name;
    m.params = p.params;
    m.target = Target{Scope::node, {}};
    for (int r = 0; r < ch_.size(); ++r)
      m.target.gpus.push_back(r);
    m.started_at = utc_now_iso8601();
    for (const auto& metric : p.def->metrics)
      m.metrics[metric.name] = {};
  }

  void record_sample(Measurement& m, const Planned& p, const Work& w, double seconds) {
    m.seconds.push_back(seconds);
    for (const auto& metric : p.def->metrics)
      m.metrics[metric.name].push_back(metric.derive(seconds, w));
  }

  void merge_check(Measurement& m, const std::vector<json>& reports,
                   const std::vector<std::vector<double>>& rank_seconds) {
    m.verification.checked = true;
    m.verification.passed = true;
    for (size_t r = 0; r < reports.size(); ++r) {
      const json& v = reports[r]["verification"];
      m.verification.checked = m.verification.checked && v.value("checked", false);
      if (v.value("checked", false) && !v.value("passed", false) && m.verification.passed) {
        m.verification.passed = false;
        m.verification.detail =
            fmt::format("{}: {}", who(static_cast<int>(r)), v.value("detail", ""));
      }
    }
    if (m.verification.passed)
      m.verification.detail = fmt::format("every rank checked its output: {}",
                                          reports[0]["verification"].value("detail", ""));
    if (m.verification.checked && !m.verification.passed) {
      m.status = MeasurementStatus::incorrect;
      m.message = "result check failed: " + m.verification.detail;
    }
    m.extra = reports[0].value("evidence", json::object());
    json ranks = json::array();
    for (size_t r = 0; r < reports.size(); ++r)
      ranks.push_back({{"rank", r},
                       {"host", ranks_[r].value("host", "?")},
                       {"gpu", ranks_[r].value("gpu", -1)},
                       {"seconds", rank_seconds[r]}});
    m.extra["mpi_ranks"] = ranks;
    m.extra["timing"] =
        "each rank times its samples (CUDA events; simulated time under --simulate); "
        "sample time = the slowest rank";
    // Telemetry per rank, keyed like target.gpus (the ranks); parsed by the results reader.
    json tel = json::object();
    for (size_t r = 0; r < reports.size(); ++r)
      if (reports[r].contains("telemetry"))
        tel[std::to_string(r)] = reports[r]["telemetry"];
    if (!tel.empty()) {
      Measurement shape;
      shape.target = m.target;
      json probe = to_json(shape);
      probe["telemetry"] = tel;
      m.telemetry = measurement_from_json(probe).telemetry;
    }
    for (int r = 0; r < static_cast<int>(reports.size()); ++r)
      if (!m.telemetry.count(r)) {
        m.telemetry[r].available = false;
        m.telemetry[r].unavailable_reason = "this rank's backend gave no telemetry";
      }
    m.stop_reason = "max_samples";
  }

  bool finish(Measurement& m, bool go_on) {
    if (ch_.root()) {
      m.finished_at = utc_now_iso8601();
      if (m.stop_reason.empty())
        m.stop_reason = m.status == MeasurementStatus::ok ? "max_samples" : "error";
      results_.measurements.push_back(std::move(m));
    }
    return go_on;
  }

  void record_not_run(const Planned& p, const std::string& why) {
    if (!ch_.root())
      return;
    Measurement m;
    start_measurement(m, p);
    m.status = MeasurementStatus::error;
    m.message = why;
    m.stop_reason = "error";
    m.finished_at = m.started_at;
    results_.measurements.push_back(std::move(m));
  }

  ExitCode stop_everything(const std::string& phase, ExitCode code) {
    if (!ch_.root())
      return ExitCode::certified;
    std::string why = stop_reason_;
    if (why.empty()) {
      std::vector<std::string> errors;
      for (size_t r = 0; r < ranks_.size(); ++r)
        if (ranks_[r].contains("error")) {
          errors.push_back(fmt::format("{}: {}", who(static_cast<int>(r)),
                                       ranks_[r]["error"].get<std::string>()));
          code = static_cast<ExitCode>(ranks_[r].value("exit", static_cast<int>(code)));
        }
      why = fmt::format("{}: {}", phase, fmt::join(errors, "; "));
    }
    for (const auto& p : plan_)
      record_not_run(p, "not run: " + why);
    std::fprintf(stderr, "gpucert-mpi: %s\n", why.c_str());
    write_results();
    print_table();
    return code == ExitCode::certified ? ExitCode::not_certified : code;
  }

  [[noreturn]] void straggler(const std::string& phase, const RankChannel::Gathered& g,
                              double timeout_s) {
    std::vector<std::string> missing;
    for (int r : g.missing)
      missing.push_back(who(r));
    std::vector<int> arrived;
    for (int r = 0; r < ch_.size(); ++r)
      if (std::find(g.missing.begin(), g.missing.end(), r) == g.missing.end())
        arrived.push_back(r);
    const std::string why =
        fmt::format("watchdog: {} did not arrive at {} within {:.0f} s (arrived: ranks {})",
                    fmt::join(missing, ", "), phase, timeout_s, ranks_text(arrived));
    // The measurement under way and everything after it are errors that name the straggler.
    if (phase != "start-up" && phase != "rendezvous" && phase != "communicator" &&
        current_ < plan_.size()) {
      Measurement m;
      start_measurement(m, plan_[current_]);
      m.status = MeasurementStatus::error;
      m.message = why;
      m.stop_reason = "error";
      m.finished_at = utc_now_iso8601();
      results_.measurements.push_back(std::move(m));
      for (size_t j = current_ + 1; j < plan_.size(); ++j)
        record_not_run(plan_[j], "not run: " + why);
    } else {
      for (const auto& p : plan_)
        record_not_run(p, "not run: " + why);
    }
    // Keep what the ranks that arrived told us (identity, inventory), mark the silent ones.
    if (ranks_.empty())
      ranks_.assign(g.payloads.size(), json(nullptr));
    for (size_t r = 0; r < g.payloads.size(); ++r)
      if (g.payloads[r] && g.payloads[r]->is_object()) {
        if (ranks_[r].is_object())
          ranks_[r].update(*g.payloads[r]);
        else
          ranks_[r] = *g.payloads[r];
      }
    for (int r : g.missing)
      if (ranks_[r].is_object()) {
        ranks_[r]["arrived"] = false;
        ranks_[r]["silent_at"] = phase;
      }
    results_.provenance["watchdog"] = {
        {"phase", phase}, {"timeout_s", timeout_s}, {"missing_ranks", g.missing}, {"message", why}};
    std::fprintf(stderr, "gpucert-mpi: %s; writing %s and aborting the job\n", why.c_str(),
                 o_.out.c_str());
    write_results();
    print_table();
    std::fflush(nullptr);
    MPI_Abort(MPI_COMM_WORLD, static_cast<int>(ExitCode::not_certified));
    std::_Exit(static_cast<int>(ExitCode::not_certified));
  }

  void write_results() {
    Results& r = results_;
    r.tool_version = kToolVersion;
    r.git_revision = kGitRevision;
    r.backend = sim_ ? "sim" : "cuda";
    r.simulated = sim_;
    r.complete = true; // every planned measurement has a status, watchdog aborts included
    r.started_at = started_;
    r.finished_at = utc_now_iso8601();
    r.method = {
        {"sampling", "fixed: every rank runs the same samples (a collective needs all ranks)"},
        {"warmup_samples", o_.warmup},
        {"samples", o_.samples},
        {"iters_per_sample", o_.iters},
        {"timing", "sample time = the slowest rank's time"},
        {"timeout_s", o_.timeout_s}};
    r.provenance["command_line"] = o_.command_line;
    std::optional<coll::NcclLibrary> library;
#if defined(GPUCERT_HAVE_NCCL)
    if (!sim_)
      library = cuda::nccl_library();
#endif
    r.provenance["nccl"] = nccl_provenance(env_, library);
    json ranks = json::array();
    for (size_t i = 0; i < ranks_.size(); ++i) {
      if (!ranks_[i].is_object()) {
        ranks.push_back({{"rank", i}, {"arrived", false}});
        continue;
      }
      json e = ranks_[i];
      e["arrived"] = e.value("arrived", true);
      ranks.push_back(e);
    }
    r.provenance["mpi"] = {
        {"world_size", ch_.size()}, {"library", mpi_library()}, {"ranks", ranks}};
    if (!ranks_.empty() && ranks_[0].is_object() && ranks_[0].contains("inventory")) {
      try {
        r.inventory_before = inventory_from_json(ranks_[0]["inventory"]);
      } catch (const std::exception& e) {
        r.provenance["inventory_error"] = e.what();
      }
    }
    r.inventory_before.simulated = sim_ || r.inventory_before.simulated;
    const std::filesystem::path out(o_.out);
    if (out.has_parent_path())
      std::filesystem::create_directories(out.parent_path());
    certify::write_file_atomic(o_.out, to_json(r).dump(2) + "\n"); // refuses links, FIFOs
  }

  /// nccl-tests-like table on stdout (the run's rendering; logs go to stderr).
  void print_table() const {
    std::printf("# gpucert-mpi: %d rank(s)%s; results in %s\n", ch_.size(),
                sim_ ? fmt::format(", SIMULATED {}", o_.simulate).c_str() : "", o_.out.c_str());
    std::printf("# %-15s %12s %9s %12s %10s %10s  %s\n", "collective", "size(B)", "dtype",
                "time(us)", "algbw", "busbw", "status");
    for (const auto& m : results_.measurements) {
      const std::string coll = m.benchmark.substr(m.benchmark.find('.') + 1);
      const std::string bytes = m.params.count("bytes") ? m.params.at("bytes") : "?";
      const std::string dtype = m.params.count("dtype") ? m.params.at("dtype") : "?";
      if (m.seconds.empty()) {
        std::printf("  %-15s %12s %9s %12s %10s %10s  %s\n", coll.c_str(), bytes.c_str(),
                    dtype.c_str(), "-", "-", "-", to_string(m.status).c_str());
        continue;
      }
      const double iters = m.items_per_sample > 0 ? m.items_per_sample : 1;
      const double us = stats::statistic(m.seconds, "median") / iters * 1e6;
      const double alg = stats::statistic(m.metrics.at(m.benchmark + ".algbw_gbps"), "median");
      const double bus = stats::statistic(m.metrics.at(m.benchmark + ".busbw_gbps"), "median");
      std::printf("  %-15s %12s %9s %12.2f %10.2f %10.2f  %s\n", coll.c_str(), bytes.c_str(),
                  dtype.c_str(), us, alg, bus, to_string(m.status).c_str());
    }
    std::fflush(stdout);
  }

  const MpiOptions& o_;
  RankChannel& ch_;
  bool sim_;
  std::vector<Planned> plan_;
  size_t current_ = 0;
  std::string started_;
  NcclEnvironment env_;
  std::unique_ptr<Backend> backend_;
  int gpu_ = -1;
#if defined(GPUCERT_HAVE_NCCL)
  std::shared_ptr<cuda::NcclClique> clique_;
#endif
  // rank 0
  std::vector<json> ranks_; ///< rendezvous reports (identity, inventory) by rank
  std::vector<json> last_reports_;
  std::string stop_reason_;
  Results results_;
};

} // namespace

ExitCode run(const MpiOptions& opts, RankChannel& channel) {
  Run r(opts, channel);
  return r.execute();
}

} // namespace gpucert::coll::mpi
