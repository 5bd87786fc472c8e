// Host facts from /proc and /sys, read from a fake tree (and the real one, where only shapes
// can be checked), and the NVML → sysfs PCI address spelling.
#include "harness/inventory/host_info.hpp"
#include "tests/support/cli.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/utsname.h>

namespace gpucert::inventory {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

class FakeHost : public ::testing::Test {
protected:
  void SetUp() override {
    root_ = test::make_temp_dir("gpucert-host");
    paths_ = {root_ + "/proc", root_ + "/sys"};
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string root_;
  HostPaths paths_;
};

TEST_F(FakeHost, ReadsHostnameKernelCpuAndNuma) {
  write(paths_.proc + "/sys/kernel/hostname", "gpu-node-017\n");
  write(paths_.proc + "/sys/kernel/osrelease", "6.8.0-60-generic\n");
  write(paths_.proc + "/cpuinfo",
        "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Platinum "
        "8480C\n\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon(R) Platinum 8480C\n");
  fs::create_directories(paths_.sys + "/devices/system/node/node0");
  fs::create_directories(paths_.sys + "/devices/system/node/node1");
  fs::create_directories(paths_.sys + "/devices/system/node/power"); // not a node
  NodeInfo node;
  probe_host(node, paths_);
  EXPECT_EQ(node.hostname, "gpu-node-017");
  EXPECT_EQ(node.kernel_version, "6.8.0-60-generic");
  EXPECT_EQ(node.cpu_model, "Intel(R) Xeon(R) Platinum 8480C");
  EXPECT_EQ(node.numa_nodes, 2);
  EXPECT_TRUE(node.unavailable.empty());
}

TEST_F(FakeHost, WhatCannotBeReadIsAbsentWithTheReason) {
  // aarch64 /proc/cpuinfo has no "model name"; no NUMA directory at all.
  write(paths_.proc + "/cpuinfo", "processor\t: 0\nBogoMIPS\t: 50.00\n");
  NodeInfo node;
  probe_host(node, paths_);
  EXPECT_FALSE(node.hostname);
  EXPECT_FALSE(node.cpu_model);
  EXPECT_FALSE(node.numa_nodes);
  EXPECT_NE(node.unavailable.at("hostname").find("/proc/sys/kernel/hostname"), std::string::npos);
  EXPECT_NE(node.unavailable.at("cpu_model").find("model name"), std::string::npos);
  EXPECT_NE(node.unavailable.at("numa_nodes").find("devices/system/node"), std::string::npos);
  EXPECT_TRUE(node.unavailable.count("kernel_version"));
}

TEST_F(FakeHost, GpuNumaNodeFromSysfs) {
  write(paths_.sys + "/bus/pci/devices/0000:9a:00.0/numa_node", "1\n");
  write(paths_.sys + "/bus/pci/devices/0000:18:00.0/numa_node", "-1\n");
  std::string reason;
  EXPECT_EQ(pci_numa_node("00000000:9A:00.0", reason, paths_), 1); // NVML spelling
  EXPECT_EQ(pci_numa_node("0000:9a:00.0", reason, paths_), 1);     // CUDA/sysfs spelling
  EXPECT_FALSE(pci_numa_node("00000000:18:00.0", reason, paths_));
  EXPECT_NE(reason.find("no NUMA affinity"), std::string::npos) << reason;
  EXPECT_FALSE(pci_numa_node("00000000:DB:00.0", reason, paths_));
  EXPECT_NE(reason.find("cannot read"), std::string::npos) << reason;
}

TEST(HostInfo, SysfsAddressSpelling) {
  EXPECT_EQ(sysfs_pci_address("00000000:18:00.0"), "0000:18:00.0");
  EXPECT_EQ(sysfs_pci_address("00000000:AB:00.0"), "0000:ab:00.0");
  EXPECT_EQ(sysfs_pci_address("0001:1A:02.1"), "0001:1a:02.1");
  EXPECT_EQ(sysfs_pci_address("not-an-address"), "not-an-address");
}

TEST(HostInfo, ThisMachine) {
  NodeInfo node;
  probe_host(node);
  utsname u{};
  ASSERT_EQ(uname(&u), 0);
  EXPECT_EQ(node.kernel_version, std::string(u.release));
  EXPECT_EQ(node.hostname, std::string(u.nodename));
  if (node.numa_nodes) {
    EXPECT_GE(*node.numa_nodes, 1);
  }
  // Every field is either read or explained.
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, bool>>{{"hostname", node.hostname.has_value()},
                                                 {"cpu_model", node.cpu_model.has_value()},
                                                 {"numa_nodes", node.numa_nodes.has_value()}})
    EXPECT_NE(value, node.unavailable.count(field) > 0) << field;
}

} // namespace
} // namespace gpucert::inventory
