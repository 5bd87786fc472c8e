// `gpucert inventory` as a user runs it: the no-driver/no-GPU path (one line, exit 3), the
// simulated node as JSON and as a table, faults visible, bad input exit 2.
#include "tests/support/cli.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace gpucert::test {
namespace {

using nlohmann::json;

int lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

json inventory_json(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"inventory", "--simulate", "h100-sxm5-80gb-8x", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliResult r = run_cli(args);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.err, "");
  return json::parse(r.out);
}

TEST(InventoryCli, NoDriverIsOneLineAndExit3) {
  // Point NVML at a library that is not there: the machine's own driver (if any) is not used.
  const CliResult r =
      run_cli({"inventory"}, {"GPUCERT_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1"});
  EXPECT_EQ(r.rc, 3) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(lines(r.err), 1) << r.err;
  const bool no_driver =
      r.err.find("no NVIDIA driver: /nonexistent/libnvidia-ml.so.1 not found") != std::string::npos;
  // A build without the CUDA backend plugin says so instead.
  const bool no_cuda = r.err.find("has no CUDA backend") != std::string::npos;
  EXPECT_TRUE(no_driver || no_cuda) << r.err;
  EXPECT_NE(r.err.find("--simulate"), std::string::npos) << "the line should say what to try";
}

TEST(InventoryCli, MissingCudaPluginIsOneLineAndExit3) {
  const CliResult r =
      run_cli({"inventory"}, {"GPUCERT_CUDA_PLUGIN=/nonexistent/libgpucert-cuda.so"});
  EXPECT_EQ(r.rc, 3) << r.out << r.err;
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("has no CUDA backend (/nonexistent/libgpucert-cuda.so is not there)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("--simulate"), std::string::npos) << "the line should say what to try";
}

TEST(InventoryCli, PluginFromAnotherBuildIsRefused) {
  // Any shared object without the plugin's entry points stands in for a foreign plugin.
  const CliResult r = run_cli({"inventory"}, {"GPUCERT_CUDA_PLUGIN=libm.so.6"});
  EXPECT_EQ(r.rc, 3) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("gpucert: libm.so.6 is not a gpucert CUDA backend plugin"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("--simulate"), std::string::npos) << "the line should say what to try";
}

TEST(InventoryCli, ThisMachine) {
  const CliResult r = run_cli({"inventory"});
  if (r.rc == 0)
    GTEST_SKIP() << "this machine has a GPU; the no-GPU path is covered above";
  EXPECT_EQ(r.rc, 3) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_EQ(r.err.rfind("gpucert: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("--simulate"), std::string::npos) << "the line should say what to try";
}

TEST(InventoryCli, SimulatedH100SxmAsJson) {
  const json j = inventory_json();
  EXPECT_EQ(j.at("schema"), "gpucert/inventory/v1");
  EXPECT_EQ(j.at("simulated"), true);
  ASSERT_EQ(j.at("gpus").size(), 8u);
  for (const auto& g : j.at("gpus")) {
    EXPECT_EQ(g.at("name"), "NVIDIA H100 80GB HBM3");
    EXPECT_EQ(g.at("pcie_gen_current"), 5);
    EXPECT_EQ(g.at("pcie_width_current"), 16);
    EXPECT_EQ(g.at("nvlink_links_active"), 18);
    EXPECT_EQ(g.at("nvlinks").size(), 18u);
  }
}

TEST(InventoryCli, PcieFaultShowsGpu2AtGen4x8) {
  const json j = inventory_json({"--fault", "gpu2:pcie=gen4x8"});
  EXPECT_EQ(j.at("sim_faults"), json::array({"gpu2:pcie=gen4x8"}));
  for (const auto& g : j.at("gpus")) {
    const bool faulty = g.at("index") == 2;
    EXPECT_EQ(g.at("pcie_gen_current"), faulty ? 4 : 5) << g.at("index");
    EXPECT_EQ(g.at("pcie_width_current"), faulty ? 8 : 16) << g.at("index");
  }
}

TEST(InventoryCli, RepeatedFaultsAllApply) {
  const json j =
      inventory_json({"--fault", "gpu0-gpu1:nvlink=0.5", "--fault", "gpu3:ecc_uncorrectable=2"});
  EXPECT_EQ(j.at("gpus").at(0).at("nvlink_links_active"), 9);
  EXPECT_EQ(j.at("gpus").at(3).at("ecc_uncorrected_volatile"), 2);
}

TEST(InventoryCli, NonexistentGpuInAFaultExits2NamingTheToken) {
  const CliResult r =
      run_cli({"inventory", "--simulate", "h100-sxm5-80gb-8x", "--fault", "gpu9:hbm=0.5"});
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("gpu9:hbm=0.5"), std::string::npos) << r.err;
  EXPECT_EQ(lines(r.err), 1) << r.err;
}

TEST(InventoryCli, BadInputExits2) {
  // Each refusal names the option, the token or the file; nothing is printed on stdout.
  const std::string nodes =
      "h100-nvl-94gb-1x, h100-pcie-80gb-1x, h100-sxm5-80gb-8x, h200-sxm-141gb-8x";
  const std::string sim = "h100-sxm5-80gb-8x";
  for (const auto& [args, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"inventory", "--bogus"}, "The following argument was not expected: --bogus"},
           {{"inventory", "--simulate"}, "--simulate: 1 required NODE missing"},
           {{"inventory", "--simulate", sim, "--fault", "gpu0:frobnicate"},
            "gpucert: --fault gpu0:frobnicate: unknown fault 'frobnicate'; expected gpuN:gemm=F"},
           {{"inventory", "--simulate", sim, "--fault", "gpu0:hbm=0"},
            "gpucert: --fault gpu0:hbm=0: '0' is not a factor > 0"},
           {{"inventory", "--simulate", sim, "--fault", "gpu0:pcie=gen9x3"},
            "gpucert: --fault gpu0:pcie=gen9x3: PCIe gen 9 does not exist"},
           {{"inventory", "--simulate", sim, "--fault", "gpu2-gpu2:nvlink=0.5"},
            "gpucert: --fault gpu2-gpu2:nvlink=0.5: an NVLink fault needs two distinct GPUs"},
           {{"inventory", "--simulate", sim, "--fault", "node:noise=2"},
            "gpucert: --fault node:noise=2: '2' is not a coefficient of variation in [0, 1)"},
           {{"inventory", "--simulate", "h100-pcie-80gb-1x", "--fault", "gpu1:thermal"},
            "gpucert: --fault gpu1:thermal: GPU 1 does not exist (this node has 1 GPU: "
            "gpu0..gpu0)"},
           {{"inventory", "--simulate", "no-such-node"},
            "gpucert: --simulate no-such-node: no such simulator node (built-in nodes: " + nodes +
                ")"},
           {{"inventory", "--fault", "gpu0:thermal"}, // a fault needs --simulate
            "gpucert: --fault gpu0:thermal: faults can only be injected into a simulated node "
            "(add --simulate NODE; nodes: " +
                nodes + ")"},
           {{"inventory", "--simulate", "/nonexistent/node.yaml"},
            "gpucert: --simulate /nonexistent/node.yaml: cannot open the simulator node file: no "
            "such file (built-in nodes: " +
                nodes + ")"},
       }) {
    const CliResult r = run_cli(args);
    EXPECT_EQ(r.rc, 2) << args.back() << ": " << r.err;
    EXPECT_EQ(r.out, "") << args.back();
    EXPECT_NE(r.err.find(message), std::string::npos) << "want '" << message << "' in: " << r.err;
    if (r.err.rfind("gpucert: ", 0) == 0) // gpucert's own refusals (not CLI11 usage): one line
      EXPECT_EQ(lines(r.err), 1) << r.err;
  }
}

TEST(InventoryCli, TableIsMarkedSimulatedAndShowsFindings) {
  const CliResult r = run_cli({"inventory", "--simulate", "h100-sxm5-80gb-8x", "--fault",
                               "gpu2:pcie=gen4x8", "--fault", "gpu5:lost@0"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.rfind("SIMULATED node h100-sxm5-80gb-8x", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("gpu2:pcie=gen4x8"), std::string::npos);
  EXPECT_NE(r.out.find("NVIDIA H100 80GB HBM3"), std::string::npos);
  EXPECT_NE(r.out.find("gpu2: PCIe link at gen4 x8, below its maximum gen5 x16"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("gpu5: cannot be read: GPU fell off the bus"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("node sim-hgx-h100-01"), std::string::npos);
  EXPECT_NE(r.out.find("NCCL 2.28.9"), std::string::npos);
}

TEST(InventoryCli, EveryBuiltinNodeAndANodeFile) {
  for (const char* node : {"h100-pcie-80gb-1x", "h200-sxm-141gb-8x"}) {
    const CliResult r = run_cli({"inventory", "--simulate", node, "--json"});
    EXPECT_EQ(r.rc, 0) << node << ": " << r.err;
    EXPECT_EQ(json::parse(r.out).at("sim_node"), node);
  }
  const std::string file = source_dir() + "/harness/backends/sim/nodes/h100-pcie-80gb-1x.yaml";
  const CliResult r = run_cli({"inventory", "--simulate", file, "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).at("gpus").at(0).at("name"), "NVIDIA H100 PCIe");
}

} // namespace
} // namespace gpucert::test
