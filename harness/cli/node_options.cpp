// --simulate / --fault / --seed / --hostname / --gpus: the options of every command that touches a
// GPU.
#include "harness/backends/make_backend.hpp"
#include "harness/cli/commands.hpp"

#include <fmt/format.h>

namespace gpucert::cli {

using backends::node_names;

void add_node_options(CLI::App* app, NodeOptions& opts, bool with_gpus) {
  app->add_option("--simulate", opts.simulate,
                  fmt::format("use a simulated node instead of this machine's GPUs; everything it "
                              "yields is stamped SIMULATED. Built-in: {} (or a node .yaml file)",
                              node_names()))
      ->type_name("NODE");
  app->add_option("--fault", opts.faults,
                  "inject a fault into the simulated node (repeatable): gpuN:gemm=F, gpuN:hbm=F, "
                  "gpuN:pcie=genGxW, gpuN-gpuM:nvlink=F, gpuN:thermal, gpuN:ecc_uncorrectable=K, "
                  "gpuN:sdc, gpuN:lost@S, node:noise=CV, node:drift=F, node:autocorr=RHO")
      ->type_name("F")
      ->allow_extra_args(false);
  app->add_option("--seed", opts.seed,
                  "the simulated node's noise seed (0 to 2^64-1): the same seed reproduces a run "
                  "bit for bit; without it a random seed is drawn and recorded in the results")
      ->type_name("N");
  app->add_option("--hostname", opts.hostname,
                  "rename the simulated node: its GPU UUIDs, serials and silicon spread derive "
                  "from the hostname (default: the node file's)")
      ->type_name("H");
  if (with_gpus)
    app->add_option("--gpus", opts.gpus, "GPUs to measure, e.g. 0,2-3 (default: all)")
        ->type_name("LIST");
}

} // namespace gpucert::cli
