// Simulated launch cost: the node's achievable microseconds per empty-kernel launch at the host's
// issue rate (issue) or per graph node (graph). Host-bound, so clocks matter little.
#include "harness/backends/sim/models/models.hpp"
#include "harness/backends/sim/models/sim_instance.hpp"

#include <fmt/core.h>

namespace gpucert::sim {

namespace {

class LaunchModel : public SimInstance {
public:
  LaunchModel(const BenchmarkContext& ctx, const std::string& mode)
      : SimInstance(ctx, "launch." + mode) {
    work_.items = param_number("launches");
    const auto us = achievable("launch." + mode);
    if (!us) {
      skip_ = fmt::format("simulated node {} has no launch.{} figure", sim_.node().name, mode);
      return;
    }
    us_ = *us;
    factors_ = {{"achievable_us", *us}};
  }

private:
  double nominal_seconds() const override { return work_.items * us_ * 1e-6; }
  double clock_sensitivity() const override { return 0.2; }
  // Empty kernels carry no data: the check counts launches, which corruption does not change.
  bool checks_data() const override { return false; }
  std::string check_description() const override {
    return fmt::format("launch counter check ({:g} kernels ran)", work_.items);
  }

  double us_ = 1;
};

} // namespace

std::unique_ptr<BenchmarkInstance> make_launch_model(const BenchmarkContext& ctx,
                                                     const std::string& mode) {
  return std::make_unique<LaunchModel>(ctx, mode);
}

void add_launch_models(const Registry& registry, ModelTable& t) {
  for (const BenchmarkDef* def : registry.family("launch")) {
    const std::string variant = variant_of(def->name);
    t.instances.add(def->name, [variant](const BenchmarkContext& ctx) {
      return make_launch_model(ctx, variant);
    });
    t.figures.insert(def->name);
  }
}

} // namespace gpucert::sim
