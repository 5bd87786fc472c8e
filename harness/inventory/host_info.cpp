// Host facts from /proc and /sys (see host_info.hpp).
#include "harness/inventory/host_info.hpp"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fmt/core.h>
#include <fstream>
#include <regex>

namespace gpucert::inventory {
namespace {

std::optional<std::string> first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line))
    return std::nullopt;
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
    line.pop_back();
  return line;
}

std::optional<std::string> cpu_model(const std::string& cpuinfo) {
  std::ifstream in(cpuinfo);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0)
      continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (!value.empty())
      return value;
  }
  return std::nullopt;
}

} // namespace

void probe_host(NodeInfo& node, const HostPaths& paths) {
  const std::string hostname_file = paths.proc + "/sys/kernel/hostname";
  if (auto v = first_line(hostname_file); v && !v->empty())
    node.hostname = *v;
  else
    node.unavailable["hostname"] = "cannot read " + hostname_file;

  const std::string release_file = paths.proc + "/sys/kernel/osrelease";
  if (auto v = first_line(release_file); v && !v->empty())
    node.kernel_version = *v;
  else
    node.unavailable["kernel_version"] = "cannot read " + release_file;

  const std::string cpuinfo = paths.proc + "/cpuinfo";
  if (auto v = cpu_model(cpuinfo))
    node.cpu_model = *v;
  else
    node.unavailable["cpu_model"] = "no 'model name' line in " + cpuinfo;

  const std::filesystem::path nodes_dir = paths.sys + "/devices/system/node";
  std::error_code ec;
  int count = 0;
  static const std::regex node_name("node[0-9]+");
  for (const auto& e : std::filesystem::directory_iterator(nodes_dir, ec))
    if (std::regex_match(e.path().filename().string(), node_name))
      ++count;
  if (ec || count == 0)
    node.unavailable["numa_nodes"] = "no NUMA nodes listed in " + nodes_dir.string();
  else
    node.numa_nodes = count;
}

std::string sysfs_pci_address(const std::string& pci_bus_id) {
  unsigned domain = 0, bus = 0, device = 0, function = 0;
  char tail = 0;
  if (std::sscanf(pci_bus_id.c_str(), "%x:%x:%x.%x%c", &domain, &bus, &device, &function, &tail) !=
      4)
    return pci_bus_id;
  return fmt::format("{:04x}:{:02x}:{:02x}.{:x}", domain, bus, device, function);
}

std::optional<int> pci_numa_node(const std::string& pci_bus_id, std::string& reason,
                                 const HostPaths& paths) {
  const std::string file =
      fmt::format("{}/bus/pci/devices/{}/numa_node", paths.sys, sysfs_pci_address(pci_bus_id));
  const auto text = first_line(file);
  if (!text) {
    reason = "cannot read " + file;
    return std::nullopt;
  }
  try {
    const int n = std::stoi(*text);
    if (n >= 0)
      return n;
  } catch (const std::exception&) {
    reason = fmt::format("{} holds '{}', not a NUMA node", file, *text);
    return std::nullopt;
  }
  reason = fmt::format("the platform reports no NUMA affinity ({} = -1)", file);
  return std::nullopt;
}

} // namespace gpucert::inventory
