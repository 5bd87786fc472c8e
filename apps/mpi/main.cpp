// gpucert-mpi: NCCL collectives across processes and nodes, one rank per GPU, under mpirun or
// srun --mpi=pmix (see ci/examples/slurm-nccl.sbatch). Rank 0 writes one results file.
#include "gpucert/version.hpp"
#include "apps/mpi/mpi_run.hpp"
#include "harness/core/error.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <fmt/core.h>
#include <mpi.h>

namespace {

using gpucert::ExitCode;

void add_options(CLI::App& app, gpucert::coll::mpi::MpiOptions& o) {
  app.add_option("--simulate", o.simulate,
                 "simulated node: each rank models its GPU (rank r = GPU r); MPI still does the "
                 "real rendezvous, gathers and barriers")
      ->type_name("NODE");
  app.add_option(
         "--fault", o.faults,
         "simulator fault, repeatable: gpuN:gemm=F, gpuN:hbm=F, gpuN:pcie=genGxW, "
         "gpuN-gpuM:nvlink=F, gpuN:thermal, gpuN:ecc_uncorrectable=K, gpuN:sdc, gpuN:lost@S, "
         "node:noise=CV (meanings: README.md, Simulated nodes)")
      ->type_name("F");
  app.add_option(
         "--collective", o.collectives,
         "all_reduce, all_gather, reduce_scatter, broadcast, reduce, alltoall, sendrecv, or "
         "all; comma list or repeated")
      ->delimiter(',')
      ->type_name("NAME");
  app.add_option("--bytes", o.bytes,
                 "sizes: one (1GiB), a sweep MIN:MAX:FACTOR (8:8GiB:2), or a comma list")
      ->type_name("SWEEP")
      ->capture_default_str();
  app.add_option("--dtype", o.dtype, "float, half, bfloat16, int8")->capture_default_str();
  app.add_flag("--inplace", o.inplace, "in place (nccl-tests layout)");
  app.add_option("--iters", o.iters, "collectives per sample")->capture_default_str();
  app.add_flag("--graph", o.graph, "capture each sample's iterations in a CUDA graph");
  app.add_option("--samples", o.samples, "timed samples per size (the same on every rank)")
      ->capture_default_str();
  app.add_option("--warmup", o.warmup, "untimed samples first")->capture_default_str();
  app.add_option(
         "--timeout", o.timeout_s,
         "seconds: a collective sample's deadline (ncclCommAbort after it) and how long rank "
         "0 waits for a rank before naming it and aborting the job")
      ->capture_default_str();
  app.add_option("--out", o.out, "results file rank 0 writes (gpucert/results/v1)")
      ->required()
      ->type_name("FILE");
}

} // namespace

int main(int argc, char** argv) {
  int provided = 0;
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    std::fprintf(stderr, "gpucert-mpi: MPI_Init_thread failed\n");
    return static_cast<int>(ExitCode::environment);
  }
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  auto finish = [](ExitCode code) {
    MPI_Finalize();
    return static_cast<int>(code);
  };

  gpucert::coll::mpi::MpiOptions opts;
  CLI::App app{"gpucert-mpi: NCCL collectives across processes and nodes (one rank per GPU)"};
  app.set_version_flag("--version", fmt::format("gpucert-mpi {} ({})", gpucert::kToolVersion,
                                                gpucert::kGitRevision));
  add_options(app, opts);
  for (int i = 0; i < argc; ++i)
    opts.command_line.emplace_back(argv[i]);
  try {
    app.parse(argc, argv);
    if (opts.collectives.empty())
      opts.collectives = {"all_reduce"};
  } catch (const CLI::Success& e) {
    if (rank == 0)
      app.exit(e);
    return finish(ExitCode::certified);
  } catch (const CLI::ParseError& e) {
    // Every rank parses the same line, so every rank ends here: only rank 0 speaks.
    if (rank == 0)
      app.exit(e);
    return finish(ExitCode::bad_input);
  }

  try {
    gpucert::coll::mpi::RankChannel channel(MPI_COMM_WORLD);
    return finish(gpucert::coll::mpi::run(opts, channel));
  } catch (const gpucert::InputError& e) {
    // Planning errors are the same on every rank (same command line): a clean exit 2.
    if (rank == 0)
      std::fprintf(stderr, "gpucert-mpi: %s\n", e.what());
    return finish(ExitCode::bad_input);
  } catch (const gpucert::Error& e) {
    std::fprintf(stderr, "gpucert-mpi: rank %d: %s\n", rank, e.what());
    MPI_Abort(MPI_COMM_WORLD, static_cast<int>(e.code()));
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gpucert-mpi: rank %d: internal error: %s\n", rank, e.what());
    MPI_Abort(MPI_COMM_WORLD, static_cast<int>(ExitCode::internal));
    return static_cast<int>(ExitCode::internal);
  }
}
