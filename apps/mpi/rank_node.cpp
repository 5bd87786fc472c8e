// This rank's GPU, backend and communicator (see rank_node.hpp).
#include "apps/mpi/rank_node.hpp"

#include "harness/backends/make_backend.hpp"
#include "harness/backends/sim/sim_backend.hpp"
#include "harness/core/error.hpp"

#include <cstdio>
#include <cstdlib>
#include <fmt/core.h>
#include <mpi.h>
#include <unistd.h>
#if defined(GPUCERT_HAVE_NCCL)
#include "harness/backends/cuda/nccl_collective.hpp"

#include <cuda_runtime_api.h>
#endif

namespace gpucert::coll::mpi {

namespace {

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

std::string sim_marker(int world) {
  return fmt::format("gpucert-sim-unique-id/{}", world);
}

} // namespace

RankNode::RankNode(const MpiOptions& o, int rank, int world)
    : o_(o), rank_(rank), world_(world), sim_(!o.simulate.empty()) {}

RankNode::~RankNode() = default;

json RankNode::hello() const {
  return {{"rank", rank_},
          {"host", processor_name()},
          {"local_rank", local_rank()},
          {"pid", static_cast<long>(getpid())}};
}

json RankNode::identify() {
  json me = hello();
  try {
    if (sim_) {
      auto base = backends::make_backend({o_.simulate, o_.faults, ""});
      auto* s = dynamic_cast<sim::SimBackend*>(base.get());
      if (s == nullptr)
        throw InternalError("--simulate did not give a simulated backend");
      if (world_ > s->node().gpu_count)
        throw InputError(fmt::format("{} ranks but simulated node {} has {} GPUs: a simulated MPI "
                                     "run models one node, one rank per GPU",
                                     world_, s->node().name, s->node().gpu_count));
      std::vector<int> all;
      for (int r = 0; r < world_; ++r)
        all.push_back(r);
      gpu_ = rank_;
      // Each rank its own noise stream, as each real GPU has its own timing jitter.
      backend_ = std::make_unique<sim::SimBackend>(s->node(), s->faults(), all,
                                                   1 + static_cast<std::uint64_t>(rank_));
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

json RankNode::join_communicator(RankProtocol& protocol) {
  UniqueId id{};
  json mine = json::object();
  if (rank_ == 0) {
    if (sim_) {
      std::snprintf(id.data(), id.size(), "%s", sim_marker(world_).c_str());
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
  protocol.broadcast(id);
  if (sim_) {
    if (std::string(id.data()) != sim_marker(world_))
      mine["error"] = "the broadcast unique id arrived corrupted";
  } else if (!mine.contains("error")) {
#if defined(GPUCERT_HAVE_NCCL)
    try {
      clique_ = cuda::make_rank_clique(id, world_, rank_, gpu_, kInitAllowanceS);
    } catch (const std::exception& e) {
      mine["error"] = e.what();
    }
#endif
  }
  return mine;
}

std::unique_ptr<BenchmarkInstance> RankNode::make_instance(const Planned& p) {
  Target t{Scope::node, {}};
  for (int r = 0; r < world_; ++r)
    t.gpus.push_back(r);
  if (sim_)
    return backend_->create(*p.def, p.params, t);
#if defined(GPUCERT_HAVE_NCCL)
  return cuda::make_nccl_collective(clique_, p.params, *p.coll, o_.timeout_s);
#else
  throw EnvironmentError("built without NCCL");
#endif
}

bool RankNode::communicator_lost() const {
#if defined(GPUCERT_HAVE_NCCL)
  return !sim_ && clique_ != nullptr && cuda::clique_aborted(*clique_);
#else
  return false;
#endif
}

} // namespace gpucert::coll::mpi
