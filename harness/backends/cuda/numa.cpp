// sysfs reads for NUMA placement.
#include "harness/backends/cuda/numa.hpp"

#include <cctype>
#include <fmt/core.h>
#include <fstream>
#include <sstream>

namespace gpucert::cuda {

std::string sysfs_pci_id(const std::string& bus_id) {
  std::string id;
  for (char c : bus_id)
    id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto colon = id.find(':');
  // Domain "00000000" (NVML) -> "0000"; a bus id without a domain gets "0000".
  if (colon == std::string::npos || id.find(':', colon + 1) == std::string::npos)
    return "0000:" + id;
  std::string domain = id.substr(0, colon);
  while (domain.size() > 4 && domain.front() == '0')
    domain.erase(0, 1);
  while (domain.size() < 4)
    domain.insert(0, "0");
  return domain + id.substr(colon);
}

std::vector<int> parse_cpu_list(const std::string& text) {
  std::vector<int> cpus;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.back())))
      part.pop_back();
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.front())))
      part.erase(0, 1);
    if (part.empty())
      continue;
    try {
      std::size_t used = 0;
      const auto dash = part.find('-');
      if (dash == std::string::npos) {
        const int c = std::stoi(part, &used);
        if (used != part.size() || c < 0)
          return {};
        cpus.push_back(c);
      } else {
        const int lo = std::stoi(part.substr(0, dash), &used);
        if (used != dash)
          return {};
        const std::string hi_text = part.substr(dash + 1);
        const int hi = std::stoi(hi_text, &used);
        if (used != hi_text.size() || lo < 0 || hi < lo)
          return {};
        for (int c = lo; c <= hi; ++c)
          cpus.push_back(c);
      }
    } catch (const std::exception&) {
      return {};
    }
  }
  return cpus;
}

NumaNode numa_node_of_pci(const std::string& bus_id, const std::string& sysfs) {
  NumaNode n;
  const std::string path =
      fmt::format("{}/bus/pci/devices/{}/numa_node", sysfs, sysfs_pci_id(bus_id));
  std::ifstream f(path);
  int node = -1;
  if (!(f >> node)) {
    n.reason = fmt::format("cannot read {}", path);
    return n;
  }
  if (node < 0) {
    n.reason = fmt::format("{} says {} (no NUMA affinity)", path, node);
    return n;
  }
  const std::string cpulist = fmt::format("{}/devices/system/node/node{}/cpulist", sysfs, node);
  std::ifstream c(cpulist);
  std::string text;
  std::getline(c, text);
  n.node = node;
  n.cpus = parse_cpu_list(text);
  n.reason = n.cpus.empty() ? fmt::format("read {}; no CPUs listed in {}", path, cpulist)
                            : fmt::format("read {}", path);
  return n;
}

} // namespace gpucert::cuda
