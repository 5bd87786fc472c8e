// This rank's share of the node: who it is (host, local rank), its GPU and backend (a real one,
// or its GPU of the simulated node), its NCCL communicator, and the collective instances on it.
#pragma once

#include "apps/mpi/mpi_options.hpp"
#include "apps/mpi/plan.hpp"
#include "apps/mpi/rank_protocol.hpp"
#include "harness/measure/backend.hpp"

#include <memory>
#include <nlohmann/json.hpp>

namespace gpucert::cuda {
class NcclClique;
}

namespace gpucert::coll::mpi {

class RankNode {
public:
  RankNode(const MpiOptions& o, int rank, int world);
  ~RankNode();

  /// Rank, host, local rank and pid: known without touching a GPU.
  json hello() const;
  /// hello() plus this rank's GPU and its inventory, or "error" and "exit" when the backend
  /// cannot be made. Makes the backend.
  json identify();
  /// Rank 0 names the communicator, every rank joins it; on the simulator a marker id travels
  /// the same broadcast so the plumbing is exercised. Returns this rank's report ("error").
  json join_communicator(RankProtocol& protocol);

  std::unique_ptr<BenchmarkInstance> make_instance(const Planned& p);
  /// After an abort the communicator is gone on this rank: the run cannot go on.
  bool communicator_lost() const;

  Backend& backend() { return *backend_; }
  int gpu() const { return gpu_; }

private:
  const MpiOptions& o_;
  int rank_, world_;
  bool sim_;
  std::unique_ptr<Backend> backend_;
  int gpu_ = -1;
  std::shared_ptr<cuda::NcclClique> clique_;
};

} // namespace gpucert::coll::mpi
