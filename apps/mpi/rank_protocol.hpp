// The exchanges between the ranks of gpucert-mpi: every rank reports to rank 0 under a deadline
// and gets one decision back. Rank 0 keeps the roster (who is where), so a rank that goes silent
// is named with its host; the job is then aborted instead of hanging.
#pragma once

#include "apps/mpi/merge_results.hpp"
#include "apps/mpi/rank_channel.hpp"

#include <array>
#include <functional>
#include <string>
#include <vector>

namespace gpucert::coll::mpi {

/// The NCCL unique id (or the simulator's marker) as it travels from rank 0.
using UniqueId = std::array<char, 128>;

class RankProtocol {
public:
  /// `timeout_s`: the user's per-sample deadline; `simulated`: nothing takes real time.
  RankProtocol(RankChannel& channel, double timeout_s, bool simulated);

  using Decide = std::function<int(const std::vector<json>&)>;
  /// Called on rank 0 when some rank did not arrive at `phase` (already marked silent in the
  /// roster; `why` names it), so what is known can be written before the job is aborted.
  using OnSilence = std::function<void(const std::string& phase, double timeout_s,
                                       const std::vector<int>& missing, const std::string& why)>;
  void on_silence(OnSilence f) { on_silence_ = std::move(f); }

  /// One exchange: every rank reports `mine`; rank 0 waits up to `timeout_s` for all, decides
  /// with `decide` (rank 0 only) and every rank returns that decision.
  int round(const std::string& phase, const json& mine, double timeout_s, const Decide& decide);

  /// Start-up (identity before anything touches a GPU, so a rank that then hangs is named with
  /// its host) and rendezvous (identity with inventory or the rank's error): the roster.
  /// kStopRun when some rank could not make its backend.
  int introduce(const json& hello, const std::function<json()>& identify);

  /// MPI_Bcast of rank 0's unique id, once every rank is known to be there.
  void broadcast(UniqueId& id) { ch_.broadcast(id.data(), static_cast<int>(id.size())); }

  /// The final barrier; false (and a warning from rank 0) when some rank never reached it.
  bool finish();

  /// Rank 0's straggler deadline for a phase. On the simulator nothing takes real time; on GPUs
  /// a rank's own watchdog fires at timeout_s, so rank 0 waits longer to hear about it first.
  double phase_timeout(bool includes_init) const;

  const Roster& roster() const { return roster_; }
  const std::vector<json>& last_reports() const { return last_reports_; }
  RankChannel& channel() { return ch_; }

private:
  double decision_timeout() const;
  [[noreturn]] void straggler(const std::string& phase, const RankChannel::Gathered& g,
                              double timeout_s);

  RankChannel& ch_;
  double timeout_s_;
  bool sim_;
  OnSilence on_silence_;
  Roster roster_; ///< rank 0: what each rank said at start-up and rendezvous
  std::vector<json> last_reports_;
};

/// Creating the communicator and the first (connecting) collective may take this long on top
/// of the user's per-sample deadline (matches the instance's own limit).
inline constexpr double kInitAllowanceS = 330;

/// Test hook: GPUCERT_TEST_HANG_RANK=R makes rank R stop answering at phase
/// GPUCERT_TEST_HANG_AT ("rendezvous", the default, or "sample"), as a hung process would.
void maybe_hang(const std::string& phase, int rank);

} // namespace gpucert::coll::mpi
