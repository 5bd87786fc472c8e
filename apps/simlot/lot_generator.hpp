// gpucert-simlot: a lot of simulated node certificates, written quickly. A few nodes are run
// in full on the simulator as templates; every other healthy node is a template's results
// renamed (its own hostname, so its own GPU UUIDs and serials), re-drawn (its samples resampled
// with its own seed) and re-scaled (its own node and per-GPU speed, drawn from the spread of a
// fleet), then judged by the real verdict engine. Faulty nodes are full simulations of their
// fault. What was planted is written to manifest.json beside the nodes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gpucert::simlot {

struct LotSpec {
  int nodes = 100;
  std::string profile = "h100-sxm5-80gb-8x-standard";
  std::string node = "h100-sxm5-80gb-8x"; ///< simulator node
  std::uint64_t seed = 1;
  std::string host_prefix = "node"; ///< hostnames node00001, node00002, ...
  double faulty_fraction = 0.02;    ///< nodes given one fault (rounded to the nearest node)
  /// Fault tokens of the simulator's grammar; N and M stand for GPU indices drawn per node
  /// (M != N). Each faulty node gets one, in turn.
  std::vector<std::string> fault_kinds = {"gpuN:hbm=0.9",      "gpuN-gpuM:nvlink=0.5",
                                          "gpuN:pcie=gen4x16", "gpuN:ecc_uncorrectable=2",
                                          "gpuN:gemm=0.85",    "gpuN:sdc"};
  double outlier_fraction = 0.002; ///< healthy GPUs made slow but above every floor
  double outlier_drop = 0.05;      ///< ... by this much on GEMM
  double gpu_spread = 0.01;        ///< σ of a GPU's speed around its node's, per family
  double node_spread = 0.005;      ///< σ of a node's speed around the fleet's
  int templates = 4;               ///< healthy nodes simulated in full
  int threads = 0;                 ///< 0: one per core
  bool write_results = false;      ///< also results.json per node (700 KB each)
};

struct PlantedOutlier {
  std::string hostname, gpu_uuid, family;
  int gpu = 0;
  double factor = 1;
};

struct Manifest {
  LotSpec spec;
  std::vector<std::string> hostnames;                      ///< every node, in order
  std::vector<std::pair<std::string, std::string>> faulty; ///< (hostname, fault token)
  std::vector<PlantedOutlier> outliers;
  double seconds = 0; ///< wall time of the generation
};
nlohmann::json to_json(const Manifest& m);

/// Writes OUT/<hostname>/certificate.json for every node and OUT/manifest.json. InputError for a
/// bad spec (unknown profile or node, a fault token the simulator refuses).
Manifest generate_lot(const LotSpec& spec, const std::filesystem::path& out);

} // namespace gpucert::simlot
