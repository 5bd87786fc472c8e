// Subcommands of `gpucert`. Each file cmd_<name>.cpp adds one subcommand and its action; main
// parses, runs the chosen action and converts typed errors to exit codes in one place.
#pragma once

#include "harness/core/error.hpp"
#include "harness/measure/backend.hpp"

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace gpucert::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<ExitCode()> action;
};
using Commands = std::vector<Command>;

/// Options shared by every command that touches a GPU.
struct NodeOptions {
  std::string simulate;            ///< simulator node name; empty = the real node
  std::vector<std::string> faults; ///< --fault tokens (simulator only)
  std::string gpus;                ///< --gpus "0,2-3"; empty = all
};
void add_node_options(CLI::App* app, NodeOptions& opts, bool with_gpus = true);
/// The simulator when --simulate is given, else the CUDA backend. Throws InputError on bad
/// faults / --gpus, EnvironmentError when the build or the machine has no CUDA/driver/GPU.
std::unique_ptr<Backend> make_backend(const NodeOptions& opts);
/// Parses "0,2-3" into sorted unique indices; throws InputError.
std::vector<int> parse_gpu_list(const std::string& text);

void add_inventory(CLI::App& app, Commands& cmds);
void add_run(CLI::App& app, Commands& cmds);
void add_evaluate(CLI::App& app, Commands& cmds);
void add_report(CLI::App& app, Commands& cmds);
void add_profile(CLI::App& app, Commands& cmds);
void add_list(CLI::App& app, Commands& cmds);

} // namespace gpucert::cli
