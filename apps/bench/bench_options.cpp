// Splits gpucert-bench's flags from Google Benchmark's; accepts "--flag value" and "--flag=value".
#include "apps/bench/bench_options.hpp"

#include "harness/core/error.hpp"

#include <benchmark/benchmark.h>
#include <cstdio>
#include <cstring>
#include <fmt/core.h>

namespace gpucert::bench {

BenchOptions strip_options(int argc, char** argv) {
  BenchOptions o;
  o.rest.push_back(argv[0]);
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::string* single = nullptr;
    bool fault = false;
    std::string flag;
    for (const char* f : {"--simulate", "--fault", "--gpus", "--seed", "--hostname"}) {
      if (arg == f || arg.rfind(std::string(f) + "=", 0) == 0)
        flag = f;
    }
    if (flag.empty()) {
      o.rest.push_back(argv[i]);
      continue;
    }
    if (flag == "--simulate")
      single = &o.node.simulate;
    else if (flag == "--gpus")
      single = &o.node.gpus;
    else if (flag == "--seed")
      single = &o.node.seed;
    else if (flag == "--hostname")
      single = &o.node.hostname;
    else
      fault = true;
    std::string value;
    if (arg.size() > flag.size()) {
      value = arg.substr(flag.size() + 1);
    } else {
      if (i + 1 >= argc)
        throw InputError(fmt::format("{} needs a value", flag));
      value = argv[++i];
    }
    if (value.empty())
      throw InputError(fmt::format("{} needs a value", flag));
    if (fault)
      o.node.faults.push_back(value);
    else
      *single = value;
  }
  o.rest.push_back(nullptr);
  return o;
}

void print_help() {
  std::fputs("gpucert-bench: every gpucert benchmark x axis point as a Google Benchmark, plus\n"
             "host-side hot paths under host/.\n"
             "  --simulate NODE   run on the simulated node NODE (results are SIMULATED)\n"
             "  --fault F         inject a simulator fault (repeatable), e.g. gpu3:gemm=0.8\n"
             "  --gpus LIST       GPUs to register, e.g. 0,2-3 (default: all)\n"
             "  --seed N          the simulated noise seed (default: random; in the context\n"
             "                    as sim_seed): the same seed gives the same samples\n"
             "  --hostname H      rename the simulated node (GPU UUIDs, serials, silicon)\n"
             "Names: <benchmark>/<axis>:<value>.../gpu:<i>/manual_time (gpu:<i>-<j> for pairs,\n"
             "node for the whole node). One iteration = one sample, timed on the device.\n"
             "Counters: bytes/s, FLOP/s (rates over device time); items/s and us/item for\n"
             "launch latency. Results failing their check are reported as errors.\n"
             "Each benchmark is set up on its first run and its buffers (and NCCL\n"
             "communicators) are released before the next one is set up.\n\n",
             stdout);
  benchmark::PrintDefaultHelp();
}

} // namespace gpucert::bench
