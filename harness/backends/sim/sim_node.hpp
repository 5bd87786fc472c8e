// A simulated node: a SKU described in a data file (harness/backends/sim/nodes/*.yaml, compiled
// into the binary). Test double for the verdict engine and for demos; everything it yields is
// SIMULATED.
#pragma once

#include "harness/model/inventory.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gpucert::sim {

/// What set-up outside the timed samples costs on this node, in seconds of wall time: the time
/// model behind `gpucert plan`. Real runs record the same phases (results: phase_seconds), so
/// the figures can be checked against a GPU and corrected here.
struct SetupCosts {
  double context_s = 0.5;         ///< CUDA context and module loading, once per GPU per run
  double instance_s = 0.02;       ///< streams, events, library handles of one benchmark instance
  double alloc_s_per_gib = 0.002; ///< cudaMalloc/cudaMallocHost, per GiB
  double fill_gbps = 0;           ///< random fill of inputs (0: the node's achievable hbm.write)
  double algo_timing_samples = 3; ///< GEMM: samples timed per algorithm candidate (× algos)
  double nccl_init_s = 1.5;       ///< one NCCL communicator clique (every GPU of the node)
};

struct SimNode {
  std::string name; ///< "h100-sxm5-80gb-8x"
  std::string description;
  int gpu_count = 0;
  Inventory inventory; ///< healthy inventory in the common schema (simulated = true)
  /// Datasheet peaks, keyed as below; units: TFLOP/s for gemm.*, GB/s (10^9 B/s) for
  /// bandwidths, microseconds for launch.*.
  std::map<std::string, double> peak;
  /// What a healthy card achieves with the best tools (same keys, same units).
  /// Keys: gemm.fp64 gemm.fp32 gemm.tf32 gemm.fp16 gemm.bf16 gemm.fp8 hbm.copy hbm.triad
  /// hbm.read hbm.write pcie.h2d pcie.d2h pcie.bidir p2p.uni p2p.bidir launch.issue
  /// launch.graph nccl.busbw nccl.latency_us
  std::map<std::string, double> achievable;
  /// The device check's floors (ci/gpu-check.sh): what gpucert must reach on this card at the
  /// figure's reference configuration, besides 0.98 x PyTorch in the same run. Same keys and
  /// units as `achievable`, throughputs only; optional, usually a few keys. The simulator reads
  /// none of it; the GPU tier's SKU test keeps each between the tier's floor and `achievable`.
  std::map<std::string, double> acceptance;
  double noise_cv = 0.004;  ///< sample-to-sample coefficient of variation
  double gpu_spread = 0.02; ///< per-GPU silicon spread (deterministic per index)
  std::string interconnect; ///< "nvswitch" or "pcie"
  bool nvls = false;        ///< NVLink SHARP available (all_reduce above the ring figure)
  double thermal_throttle_after_s = 20; ///< simulated seconds of load before a thermal fault bites
  double thermal_factor = 0.6;          ///< clock ratio once throttled
  SetupCosts setup;
};

/// What a node's identity and silicon spread derive from: its hostname (inventory.node.hostname),
/// else its name.
std::string identity_key(const SimNode& node);

/// Renames a simulated node (`--hostname H`): the hostname becomes H and every GPU's UUID and
/// serial derive from H, so another hostname is another node of the same SKU (PCI bus ids, the
/// chassis's layout, stay). H equal to the node file's hostname keeps the file's identity. Throws
/// InputError naming H when it is not a host name (letters, digits, '-', '.'; at most 253).
void set_hostname(SimNode& node, const std::string& hostname);

/// Names of the built-in nodes.
std::vector<std::string> builtin_node_names();
/// Loads a built-in node by name; throws InputError listing the known names.
SimNode load_builtin_node(const std::string& name);
/// Parses a node description (YAML text); `source` names it in errors (file:line).
SimNode parse_node(const std::string& yaml_text, const std::string& source);

/// The built-in node whose GPUs are named `gpu_name` exactly as CUDA and NVML name the card
/// ("NVIDIA H100 80GB HBM3", "NVIDIA H100 PCIe", "NVIDIA H200"): the node files are the one table
/// of SKUs, read by the simulator, the GPU test tier and checks on real GPUs alike, so a SKU is
/// added there and nowhere else. Among several nodes with that card, the one with `gpu_count`
/// GPUs is preferred, else the first by name. nullopt when no node file has this card.
std::optional<SimNode> builtin_node_for_gpu(const std::string& gpu_name, int gpu_count = 0);

} // namespace gpucert::sim
