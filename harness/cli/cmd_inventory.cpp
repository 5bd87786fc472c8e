// `gpucert inventory [--json] [--simulate NODE] [--fault F]...`: what is in this node, health
// state included. A table by default; --json gives the gpucert/inventory/v1 document.
#include "harness/cli/commands.hpp"
#include "harness/cli/inventory_table.hpp"
#include "harness/cli/std_output.hpp"

#include <cstdio>
#include <fmt/core.h>
#include <memory>

namespace gpucert::cli {
namespace {

struct InventoryOptions {
  bool json = false;
  NodeOptions node;
};

} // namespace

void add_inventory(CLI::App& app, Commands& cmds) {
  auto opts = std::make_shared<InventoryOptions>();
  auto* sub = app.add_subcommand("inventory", "what is in this node, health state included");
  sub->add_flag("--json", opts->json, "print the inventory as JSON (schema gpucert/inventory/v1)");
  add_node_options(sub, opts->node, /*with_gpus=*/false);
  cmds.push_back({sub, [opts]() -> ExitCode {
                    const Inventory inv = make_backend(opts->node)->inventory();
                    if (opts->json)
                      write_stdout(to_json(inv).dump(2) + "\n");
                    else
                      write_stdout(render_inventory_table(inv));
                    flush_stdout();
                    return ExitCode::certified; // 0: the inventory was read
                  }});
}

} // namespace gpucert::cli
