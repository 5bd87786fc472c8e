// --simulate / --fault / --gpus: the options of every command that touches a GPU.
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
                  "gpuN:sdc, gpuN:lost@S, node:noise=CV")
      ->type_name("F")
      ->allow_extra_args(false);
  if (with_gpus)
    app->add_option("--gpus", opts.gpus, "GPUs to measure, e.g. 0,2-3 (default: all)")
        ->type_name("LIST");
}

} // namespace gpucert::cli
