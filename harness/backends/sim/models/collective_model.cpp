// Simulated collectives on the virtual clock (see collective_model.hpp).
#include "harness/backends/sim/models/collective_model.hpp"

#include "harness/backends/sim/models/collective_figures.hpp"
#include "harness/backends/sim/models/models.hpp"
#include "harness/backends/sim/models/sim_instance.hpp"
#include "harness/collectives/check.hpp"
#include "harness/collectives/collective_plan.hpp"
#include "harness/collectives/nccl_env.hpp"

#include <algorithm>
#include <fmt/core.h>

namespace gpucert::coll {

namespace {

/// Elements per rank the host check computes: enough to cover every rank's block of the data
/// movement, small enough to cost nothing.
constexpr std::uint64_t kCheckElementsPerRank = 512;

class SimCollective : public sim::SimInstance {
public:
  SimCollective(const BenchmarkContext& ctx, const Collective& c)
      : SimInstance(ctx, "nccl." + std::string(c.name)), coll_(c),
        plan_(plan_collective(c, ctx.params, static_cast<int>(ctx.target.gpus.size()))) {
    skip_ = plan_.skip;
    work_ = collective_work(plan_);
    if (!skip_.empty())
      return;
    cm_ = model_collective(sim_.node(), sim_.faults(), c, target_.gpus);
    factors_ = {{"algorithm", cm_.algorithm},
                {"busbw_gbps_modelled", cm_.busbw_gbps},
                {"busbw_gbps_healthy", cm_.base_busbw_gbps},
                {"latency_us", cm_.latency_s * 1e6},
                {"nvlink_fault", cm_.link_factor}};
    if (!cm_.bottleneck.empty())
      factors_["bottleneck"] = cm_.bottleneck;
  }

  double extra_setup_seconds() const override { return sim_.node().setup.nccl_init_s; }

  Verification verify() override {
    for (int g : target_.gpus)
      sim_.check_alive(g);
    // Run the real pattern and checker on a short exchange computed by the host reference;
    // a gpuN:sdc fault corrupts one element on that GPU's rank, as a flipped bit would.
    Pattern p = plan_.pattern;
    const int n = plan_.nranks;
    p.param_count = std::min<std::uint64_t>(p.param_count, kCheckElementsPerRank);
    const std::uint64_t send_count =
        p.kind == CollKind::reduce_scatter || p.kind == CollKind::alltoall ? p.param_count * n
                                                                           : p.param_count;
    std::vector<std::vector<std::int64_t>> inputs(n);
    for (int r = 0; r < n; ++r)
      for (std::uint64_t j = 0; j < send_count; ++j)
        inputs[r].push_back(input_value(p, r, j));
    const auto outputs = reference_collective(p, inputs);
    // Which GPU's corruption shows in rank r's output: its own, or, for a reduce, that of any
    // non-root rank, since the partial sums are computed on every rank on their way to the root.
    auto culprit = [&](int r) -> int {
      if (outputs[r].empty())
        return -1;
      if (sim_.faults().sdc(target_.gpus[r]))
        return target_.gpus[r];
      if (p.kind == CollKind::reduce && r == p.root)
        for (int s = 0; s < n; ++s)
          if (outputs[s].empty() && sim_.faults().sdc(target_.gpus[s]))
            return target_.gpus[s];
      return -1;
    };
    Verification v;
    v.checked = true;
    v.passed = true;
    for (int r = 0; r < n; ++r) {
      const int gpu = target_.gpus[r];
      auto raw = encode_buffer(p.dtype, outputs[r]);
      const int bad_gpu = culprit(r);
      const bool sdc = bad_gpu >= 0;
      if (sdc) {
        const std::uint64_t k = outputs[r].size() / 2;
        store_bits(p.dtype, raw.data(), k, load_bits(p.dtype, raw.data(), k) ^ 0x1u);
      }
      const Mismatch m = check_output(p, r, raw.data(), check_count(p, r));
      if (!m.ok()) {
        v.passed = false;
        v.detail =
            describe(p, r, fmt::format("rank {} (gpu {})", r, gpu), m) +
            (sdc ? fmt::format(" (simulated silent data corruption, fault gpu{}:sdc)", bad_gpu)
                 : "");
        return v;
      }
    }
    v.detail = fmt::format("simulated: exact pattern ({}) checked on the host over a modelled "
                           "exchange of {} elements per rank, all {} ranks exact",
                           dtype_name(plan_.dtype), p.param_count, n);
    return v;
  }

  nlohmann::json evidence() const override {
    nlohmann::json j = SimInstance::evidence();
    j.update(plan_evidence(plan_));
    j["gpus"] = target_.gpus;
    // Recorded as found; no NCCL call is made, so forced tuning changes nothing here.
    j["nccl"] = nccl_provenance(read_nccl_environment(), std::nullopt);
    j["timing"] = "simulated: latency + size * busbw_factor / busbw per collective, x noise";
    return j;
  }

private:
  double nominal_seconds() const override {
    return plan_.iters * collective_seconds(cm_, coll_, plan_.nranks,
                                            static_cast<double>(plan_.size_bytes), plan_.inplace);
  }
  double clock_sensitivity() const override { return 0; } // link bound, not SM-clock bound
  std::string check_description() const override { return "exact pattern check of every rank"; }
  double device_bytes() const override { return static_cast<double>(device_bytes_per_rank(plan_)); }

  const Collective& coll_;
  CollectivePlan plan_;
  CollectiveModel cm_;
};

} // namespace

std::unique_ptr<BenchmarkInstance> make_sim_collective(const BenchmarkContext& ctx,
                                                       const Collective& c) {
  return std::make_unique<SimCollective>(ctx, c);
}

} // namespace gpucert::coll

namespace gpucert::sim {

void add_nccl_models(const Registry& registry, ModelTable& t) {
  for (const BenchmarkDef* def : registry.family("nccl")) {
    const coll::Collective& c = coll::collective_by_name(variant_of(def->name));
    t.instances.add(
        def->name, [&c](const BenchmarkContext& ctx) { return coll::make_sim_collective(ctx, c); });
  }
  // The collective model's headline figures (collective_figures.cpp); the rest are optional.
  t.figures.insert({"nccl.busbw", "nccl.latency_us"});
}

} // namespace gpucert::sim
