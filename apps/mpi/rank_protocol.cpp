// The rank protocol (see rank_protocol.hpp).
#include "apps/mpi/rank_protocol.hpp"

#include "harness/core/error.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fmt/core.h>
#include <fmt/format.h>
#include <thread>

namespace gpucert::coll::mpi {

RankProtocol::RankProtocol(RankChannel& channel, double timeout_s, bool simulated)
    : ch_(channel), timeout_s_(timeout_s), sim_(simulated) {}

double RankProtocol::phase_timeout(bool includes_init) const {
  if (sim_)
    return timeout_s_;
  return 2 * timeout_s_ + 10 + (includes_init ? kInitAllowanceS : 0);
}

/// How long a non-root rank waits for rank 0's decision before it concludes rank 0 is gone.
double RankProtocol::decision_timeout() const {
  return 2 * phase_timeout(true) + 60;
}

int RankProtocol::round(const std::string& phase, const json& mine, double timeout_s,
                        const Decide& decide) {
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

int RankProtocol::introduce(const json& hello, const std::function<json()>& identify) {
  round("start-up", hello, timeout_s_, [&](const std::vector<json>& reports) {
    roster_ = reports;
    return int(kGo);
  });
  maybe_hang("rendezvous", ch_.rank());
  return round("rendezvous", identify(), timeout_s_, [&](const std::vector<json>& reports) {
    for (size_t r = 0; r < reports.size(); ++r)
      roster_[r].update(reports[r]);
    for (const auto& r : reports)
      if (r.contains("error"))
        return int(kStopRun);
    return int(kGo);
  });
}

bool RankProtocol::finish() {
  if (ch_.barrier(phase_timeout(false)))
    return true;
  if (ch_.root())
    std::fprintf(stderr,
                 "gpucert-mpi: warning: not every rank reached the final barrier within %.0f s\n",
                 phase_timeout(false));
  return false;
}

void RankProtocol::straggler(const std::string& phase, const RankChannel::Gathered& g,
                             double timeout_s) {
  std::vector<std::string> missing;
  for (int r : g.missing)
    missing.push_back(who(roster_, r));
  std::vector<int> arrived;
  for (int r = 0; r < ch_.size(); ++r)
    if (std::find(g.missing.begin(), g.missing.end(), r) == g.missing.end())
      arrived.push_back(r);
  const std::string why =
      fmt::format("watchdog: {} did not arrive at {} within {:.0f} s (arrived: ranks {})",
                  fmt::join(missing, ", "), phase, timeout_s, fmt::join(arrived, ", "));
  mark_silent(roster_, g.payloads, g.missing, phase);
  if (on_silence_)
    on_silence_(phase, timeout_s, g.missing, why);
  std::fflush(nullptr);
  MPI_Abort(MPI_COMM_WORLD, static_cast<int>(ExitCode::not_certified));
  std::_Exit(static_cast<int>(ExitCode::not_certified));
}

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

} // namespace gpucert::coll::mpi
