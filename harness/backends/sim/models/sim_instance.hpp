// What every simulator model shares: sample time = nominal time / (spread × fault × thermal
// clock × drift) × noise on the virtual clock, the noise from the target GPUs' own stream; lost
// GPUs throw; silent data corruption fails verify().
#pragma once

#include "harness/backends/sim/sim_backend.hpp"

#include <optional>
#include <string>

namespace gpucert::sim {

class SimInstance : public BenchmarkInstance {
public:
  void setup() override;
  Work work() const override { return work_; }
  double sample() override;
  Verification verify() override;
  nlohmann::json evidence() const override;
  std::string skip_reason() const override { return skip_; }

protected:
  /// `model`: short name for evidence ("gemm", "hbm.copy", ...).
  SimInstance(const BenchmarkContext& ctx, std::string model);

  /// Seconds one sample takes on a healthy, cool GPU of this node, with the fault factors that
  /// apply to this benchmark (gemm=F, hbm=F, pcie, nvlink); spread, clocks and noise come on top.
  virtual double nominal_seconds() const = 0;
  /// How strongly a lower SM clock slows this work: 1 = clock-bound (GEMM), 0 = not at all.
  virtual double clock_sensitivity() const { return 1; }
  /// Whether silent data corruption shows in this benchmark's result check.
  virtual bool checks_data() const { return true; }
  /// What the real benchmark checks, as verify() reports it.
  virtual std::string check_description() const = 0;
  /// Peak device memory the real benchmark would allocate on each target GPU (0 = negligible).
  virtual double device_bytes() const { return 0; }

  /// An achievable figure of the node; empty optional when the node has none under `key`.
  std::optional<double> achievable(const std::string& key) const;
  double param_number(const std::string& name) const;
  const std::string& param(const std::string& name) const;

  SimBackend& sim_;
  Params params_;
  Target target_;
  std::string model_;
  Work work_;
  std::string skip_;
  nlohmann::json factors_ = nlohmann::json::object(); ///< fault factors applied, for evidence

  /// Set-up this model pays on top of the node's common costs (NCCL: communicator init).
  virtual double extra_setup_seconds() const { return 0; }
  /// Virtual time setup() takes: the node file's model.setup costs (context on a GPU's first
  /// use, handles, allocation and fill of device_bytes(), GEMM algorithm timing) plus extras.
  double setup_seconds();
};

/// The SimBackend behind a context; InternalError when a sim model is asked to run elsewhere.
SimBackend& sim_backend(const BenchmarkContext& ctx);

} // namespace gpucert::sim
