// Fault grammar: every valid form parses to what it says; every malformed or impossible token
// is an InputError that names the token.
#include "harness/backends/sim/faults.hpp"
#include "harness/backends/sim/sim_node.hpp"
#include "harness/core/error.hpp"

#include <gtest/gtest.h>

namespace gpucert::sim {
namespace {

Fault one(const std::string& token, int gpus = 8) {
  return parse_faults({token}, gpus).at(0);
}

std::string error_of(const std::vector<std::string>& tokens, int gpus = 8) {
  try {
    parse_faults(tokens, gpus);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Faults, ParsesEveryKind) {
  auto f = one("gpu3:gemm=0.5");
  EXPECT_EQ(f.kind, Fault::Kind::gemm);
  EXPECT_EQ(f.gpus, std::vector<int>{3});
  EXPECT_DOUBLE_EQ(f.factor, 0.5);
  EXPECT_EQ(f.token, "gpu3:gemm=0.5");

  f = one("gpu0:hbm=0.75");
  EXPECT_EQ(f.kind, Fault::Kind::hbm);
  EXPECT_DOUBLE_EQ(f.factor, 0.75);

  f = one("gpu2:pcie=gen4x8");
  EXPECT_EQ(f.kind, Fault::Kind::pcie);
  EXPECT_EQ(f.pcie_gen, 4);
  EXPECT_EQ(f.pcie_width, 8);

  f = one("gpu1-gpu6:nvlink=0.25");
  EXPECT_EQ(f.kind, Fault::Kind::nvlink);
  EXPECT_EQ(f.gpus, (std::vector<int>{1, 6}));
  EXPECT_DOUBLE_EQ(f.factor, 0.25);

  EXPECT_EQ(one("gpu7:thermal").kind, Fault::Kind::thermal);
  EXPECT_EQ(one("gpu4:sdc").kind, Fault::Kind::sdc);

  f = one("gpu5:ecc_uncorrectable=3");
  EXPECT_EQ(f.kind, Fault::Kind::ecc_uncorrectable);
  EXPECT_EQ(f.count, 3);

  f = one("gpu5:lost@12.5");
  EXPECT_EQ(f.kind, Fault::Kind::lost);
  EXPECT_DOUBLE_EQ(f.at_seconds, 12.5);
  EXPECT_DOUBLE_EQ(one("gpu5:lost@0").at_seconds, 0);

  f = one("node:noise=0.05");
  EXPECT_EQ(f.kind, Fault::Kind::noise);
  EXPECT_TRUE(f.gpus.empty());
  EXPECT_DOUBLE_EQ(f.noise_cv, 0.05);
}

TEST(Faults, ManyTokensAtOnceKeepTheirOrder) {
  const auto faults = parse_faults({"gpu0:gemm=0.9", "gpu1:hbm=0.8", "node:noise=0.01"}, 2);
  ASSERT_EQ(faults.size(), 3u);
  EXPECT_EQ(faults[1].token, "gpu1:hbm=0.8");
}

class BadFault : public ::testing::TestWithParam<const char*> {};

TEST_P(BadFault, IsAnInputErrorNamingTheToken) {
  const std::string token = GetParam();
  const std::string msg = error_of({token});
  EXPECT_NE(msg, "(no error)") << token;
  EXPECT_NE(msg.find("--fault " + token + ":"), std::string::npos) << msg;
}

INSTANTIATE_TEST_SUITE_P(
    Grammar, BadFault,
    ::testing::Values("", "gpu0", "gpu0:", ":gemm=0.5", "gpu9:hbm=0.5", "gpu8:gemm=0.5",
                      "gpu2:hbm=0", "gpu2:hbm=-1", "gpu2:hbm=abc", "gpu2:hbm=", "gpu2:hbm",
                      "gpu2:gemm=nan", "gpu2:gemm=inf", "gpu2:gemm=0.5x", "gpu2:gemm=+0.5",
                      "gpu2:hbm=0x10", "gpu2:pcie=gen4", "gpu2:pcie=gen7x16", "gpu2:pcie=gen0x16",
                      "gpu2:pcie=gen4x3", "gpu2:pcie=4x8", "gpu2:pcie=genx8", "gpu2:pcie=gen4x",
                      "gpu0-gpu0:nvlink=0.5", "gpu0-gpu8:nvlink=0.5", "gpu0:nvlink=0.5",
                      "gpu0-gpu1:nvlink", "gpu0-gpu1:hbm=0.5", "gpu0:thermal=1", "gpu0:sdc=1",
                      "gpu0:ecc_uncorrectable=0", "gpu0:ecc_uncorrectable=1.5",
                      "gpu0:ecc_uncorrectable", "gpu0:lost@", "gpu0:lost=5", "gpu0:lost@-1",
                      "gpu0:lost", "node:noise=1.5", "node:noise", "node:noise=-0.1",
                      "node:gemm=0.5", "gpu0:noise=0.1", "GPU0:hbm=0.5", "gpu0:hbm=0.5 ",
                      " gpu0:hbm=0.5", "gpu0:frobnicate", "gpux:hbm=0.5", "gpu-1:hbm=0.5",
                      "gpu:hbm=0.5", "host:noise=0.1"));

TEST(Faults, NonexistentGpuSaysWhatExists) {
  const std::string msg = error_of({"gpu9:hbm=0.5"});
  EXPECT_NE(msg.find("GPU 9 does not exist"), std::string::npos) << msg;
  EXPECT_NE(msg.find("8 GPUs"), std::string::npos) << msg;
}

TEST(Faults, TheSameFaultTwiceIsRejected) {
  const std::string msg = error_of({"gpu0:gemm=0.5", "gpu0:gemm=0.7"});
  EXPECT_NE(msg.find("--fault gpu0:gemm=0.7"), std::string::npos) << msg;
  EXPECT_NE(msg.find("gpu0:gemm=0.5"), std::string::npos) << msg;
  EXPECT_NE(error_of({"gpu0-gpu1:nvlink=0.5", "gpu1-gpu0:nvlink=0.7"}), "(no error)");
  EXPECT_NE(error_of({"node:noise=0.1", "node:noise=0.2"}), "(no error)");
  // Different kinds or GPUs are fine together.
  EXPECT_EQ(error_of({"gpu0:gemm=0.5", "gpu0:hbm=0.5", "gpu1:gemm=0.5"}), "(no error)");
}

TEST(Faults, AgainstANodeALinkOnlyTrainsDown) {
  const SimNode node = load_builtin_node("h100-sxm5-80gb-8x");
  EXPECT_NO_THROW(parse_faults({"gpu2:pcie=gen4x8"}, node));
  EXPECT_NO_THROW(parse_faults({"gpu2:pcie=gen5x16"}, node));
  EXPECT_THROW(parse_faults({"gpu2:pcie=gen6x16"}, node), InputError);
  EXPECT_THROW(parse_faults({"gpu2:pcie=gen5x32"}, node), InputError);
  EXPECT_NO_THROW(parse_faults({"gpu0-gpu7:nvlink=0.5"}, node)); // NVSwitch: every pair
  EXPECT_THROW(parse_faults({"gpu9:hbm=0.5"}, node), InputError);
}

TEST(Faults, NvlinkFaultNeedsAnNvlinkConnectedPair) {
  // Two PCIe cards without NVLink: the pair exists but shares no link.
  const std::string yaml = R"(schema: gpucert/sim-node/v1
name: two-pcie
interconnect: pcie
node: {hostname: h, driver_version: "1", cuda_driver_version: "13.0", cuda_runtime_version: "13.0",
       cublas_version: "13.1.0", nccl_version: "2.28.9", cpu_model: c, numa_nodes: 1,
       kernel_version: k}
gpu_defaults:
  name: NVIDIA H100 PCIe
  nvlink_links: 0
  unavailable: {uuid: x, serial: x, memory_total_bytes: x, memory_free_bytes: x, sm_count: x,
    l2_cache_bytes: x, compute_capability: x, sm_clock_max_mhz: x, mem_clock_max_mhz: x, sm_clock_mhz: x,
    mem_clock_mhz: x, power_limit_w: x, power_default_limit_w: x, power_draw_w: x,
    temperature_c: x, ecc_enabled: x, ecc_corrected_volatile: x, ecc_uncorrected_volatile: x,
    ecc_corrected_aggregate: x, ecc_uncorrected_aggregate: x, retired_pages_sbe: x,
    retired_pages_dbe: x, retired_pages_pending: x, remapped_rows_correctable: x,
    remapped_rows_uncorrectable: x, remapped_rows_pending: x, remapped_rows_failed: x,
    pcie_gen_current: x, pcie_gen_max: x, pcie_width_current: x, pcie_width_max: x,
    mig_enabled: x, persistence_mode: x, throttle_reasons: x, numa_node: x}
gpus: [{pci_bus_id: "00000000:41:00.0"}, {pci_bus_id: "00000000:C1:00.0"}]
peak: &p {gemm.fp64: 1, gemm.fp32: 1, gemm.tf32: 1, gemm.fp16: 1, gemm.bf16: 1, gemm.fp8: 1,
  hbm.copy: 1, hbm.triad: 1, hbm.read: 1, hbm.write: 1, pcie.h2d: 1, pcie.d2h: 1, pcie.bidir: 1,
  p2p.uni: 1, p2p.bidir: 1, launch.issue: 1, launch.graph: 1, nccl.busbw: 1, nccl.latency_us: 1}
achievable: *p
)";
  const SimNode node = parse_node(yaml, "two-pcie.yaml");
  ASSERT_EQ(node.gpu_count, 2);
  try {
    parse_faults({"gpu0-gpu1:nvlink=0.5"}, node);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("gpu0-gpu1:nvlink=0.5"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("not NVLink-connected"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(parse_faults({"gpu1:pcie=gen1x1"}, node)); // max unknown: nothing to check
}

TEST(FaultSet, AnswersPerGpuAndPair) {
  const FaultSet set(parse_faults({"gpu1:gemm=0.5", "gpu2:hbm=0.8", "gpu3-gpu4:nvlink=0.25",
                                   "gpu5:pcie=gen3x4", "gpu6:thermal", "gpu7:ecc_uncorrectable=2",
                                   "gpu0:sdc", "gpu1:lost@30", "node:noise=0.02"},
                                  8));
  EXPECT_DOUBLE_EQ(set.gemm_factor(1), 0.5);
  EXPECT_DOUBLE_EQ(set.gemm_factor(0), 1.0);
  EXPECT_DOUBLE_EQ(set.hbm_factor(2), 0.8);
  EXPECT_DOUBLE_EQ(set.hbm_factor(1), 1.0);
  EXPECT_DOUBLE_EQ(set.nvlink_factor(3, 4), 0.25);
  EXPECT_DOUBLE_EQ(set.nvlink_factor(4, 3), 0.25);
  EXPECT_DOUBLE_EQ(set.nvlink_factor(3, 5), 1.0);
  ASSERT_TRUE(set.pcie(5).has_value());
  EXPECT_EQ(set.pcie(5)->pcie_gen, 3);
  EXPECT_FALSE(set.pcie(4).has_value());
  EXPECT_TRUE(set.thermal(6));
  EXPECT_FALSE(set.thermal(5));
  EXPECT_EQ(set.ecc_uncorrectable(7), 2);
  EXPECT_EQ(set.ecc_uncorrectable(6), 0);
  EXPECT_TRUE(set.sdc(0));
  EXPECT_FALSE(set.sdc(1));
  ASSERT_TRUE(set.lost_at(1).has_value());
  EXPECT_DOUBLE_EQ(*set.lost_at(1), 30);
  EXPECT_FALSE(set.lost_at(0).has_value());
  ASSERT_TRUE(set.noise_cv().has_value());
  EXPECT_DOUBLE_EQ(*set.noise_cv(), 0.02);
  EXPECT_FALSE(FaultSet().noise_cv().has_value());
}

} // namespace
} // namespace gpucert::sim
