// Messages between the ranks of gpucert-mpi and rank 0 that never wait without a deadline: every
// wait polls (MPI_Iprobe / MPI_Test), so a rank that never arrives is named, not waited for.
#pragma once

#include <memory>
#include <mpi.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace gpucert::coll::mpi {

class RankChannel {
public:
  explicit RankChannel(MPI_Comm comm);
  ~RankChannel();
  RankChannel(const RankChannel&) = delete;
  RankChannel& operator=(const RankChannel&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool root() const { return rank_ == 0; }

  struct Gathered {
    std::vector<std::optional<nlohmann::json>> payloads; ///< by rank; nullopt: did not arrive
    std::vector<int> missing;                            ///< ranks that did not arrive in time
  };
  /// Every rank sends `mine` to rank 0, which waits up to `timeout_s` for all of them. Other
  /// ranks return an empty Gathered at once (their message travels while they wait for decide()).
  Gathered gather(const nlohmann::json& mine, double timeout_s);

  /// Rank 0 sends `decision` to every rank and returns it; the others wait up to `timeout_s`
  /// for it and get nullopt when rank 0 never answers.
  std::optional<int> decide(int decision, double timeout_s);

  /// MPI_Ibarrier, polled up to `timeout_s`; false when some rank never entered it.
  bool barrier(double timeout_s);

  /// MPI_Bcast of `bytes` from rank 0: only once every rank is known to have arrived.
  void broadcast(void* data, int bytes);

private:
  int next_tag();
  void progress_sends();

  MPI_Comm comm_;
  int rank_ = 0, size_ = 1;
  int seq_ = 0;
  struct PendingSend {
    std::unique_ptr<std::string> buffer; ///< alive until MPI is done with it
    MPI_Request request = MPI_REQUEST_NULL;
  };
  std::vector<PendingSend> sends_;
};

} // namespace gpucert::coll::mpi
