// gpucert-bench's own flags (--simulate, --fault, --gpus, --seed, --hostname), taken out of argv
// before Google Benchmark parses the rest.
#pragma once

#include "harness/cli/commands.hpp"

#include <string>
#include <vector>

namespace gpucert::bench {

struct BenchOptions {
  backends::NodeOptions node;
  std::vector<char*> rest; ///< argv without our flags (argv[0] first, null-terminated)
};

/// Throws InputError on a flag without its value.
BenchOptions strip_options(int argc, char** argv);

/// Printed before Google Benchmark's own --help text.
void print_help();

} // namespace gpucert::bench
