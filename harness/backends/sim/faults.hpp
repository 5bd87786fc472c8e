// Fault injection for the simulator (`--fault`, repeatable; each token explained in README.md):
//   gpuN:gemm=F  gpuN:hbm=F  gpuN:pcie=genGxW  gpuN-gpuM:nvlink=F  gpuN:thermal
//   gpuN:ecc_uncorrectable=K  gpuN:sdc  gpuN:lost@S  node:noise=CV  node:drift=F
//   node:autocorr=RHO
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace gpucert::sim {

struct SimNode;

struct Fault {
  enum class Kind {
    gemm,
    hbm,
    pcie,
    nvlink,
    thermal,
    ecc_uncorrectable,
    sdc,
    lost,
    noise,
    drift,
    autocorr
  };
  Kind kind = Kind::gemm;
  std::string token;     ///< as the user wrote it
  std::vector<int> gpus; ///< one GPU, a pair for nvlink, empty for node
  double factor = 1;     ///< gemm/hbm/nvlink multiplier (0 < F <= 1 typical; > 0 required)
  int pcie_gen = 0, pcie_width = 0;
  long long count = 0;   ///< ecc_uncorrectable
  double at_seconds = 0; ///< lost@S
  double noise_cv = 0;   ///< node:noise
  double drift = 0;      ///< node:drift: relative change of every figure per minute of load (> -1)
  double autocorr = 0;   ///< node:autocorr: lag-1 correlation of the noise, [0, 1)
};

/// Parses and validates every token against a node of `gpu_count` GPUs. Throws InputError
/// naming the token and what is wrong (syntax, unknown kind, GPU/link that does not exist).
std::vector<Fault> parse_faults(const std::vector<std::string>& tokens, int gpu_count);
/// As above, and also against what `node` has: a PCIe link can only train down from its maximum,
/// and an nvlink fault needs two GPUs that are NVLink-connected on that node.
std::vector<Fault> parse_faults(const std::vector<std::string>& tokens, const SimNode& node);

/// The faults in effect, with queries the simulator models use.
class FaultSet {
public:
  FaultSet() = default;
  explicit FaultSet(std::vector<Fault> faults) : faults_(std::move(faults)) {}
  const std::vector<Fault>& all() const { return faults_; }
  double gemm_factor(int gpu) const;
  double hbm_factor(int gpu) const;
  double nvlink_factor(int a, int b) const; ///< order-insensitive; 1 when no fault
  std::optional<Fault> pcie(int gpu) const; ///< trained-down link, if any
  bool thermal(int gpu) const;
  long long ecc_uncorrectable(int gpu) const;
  bool sdc(int gpu) const;
  std::optional<double> lost_at(int gpu) const;
  std::optional<double> noise_cv() const;
  /// node:drift=F: each GPU's figures × (1 + F) per simulated minute of its load; 0 when absent.
  double drift_per_minute() const;
  /// node:autocorr=RHO: the AR(1) coefficient of the noise; 0 (independent draws) when absent.
  double autocorr() const;

private:
  std::vector<Fault> faults_;
};

} // namespace gpucert::sim
