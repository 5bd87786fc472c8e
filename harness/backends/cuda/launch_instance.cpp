// Kernel launch cost: N empty kernels issued back to back on a stream (launch.issue: the host's
// issue rate), or replayed from one CUDA graph (launch.graph); the time per kernel between two
// events.
#include "harness/backends/cuda/device_buffer.hpp"
#include "harness/backends/cuda/factories.hpp"
#include "harness/backends/cuda/params.hpp"
#include "harness/backends/cuda/timed_instance.hpp"
#include "kernels/launch_kernels.cuh"

#include <fmt/core.h>

namespace gpucert::cuda {
namespace {

/// Owns an instantiated graph.
class GraphExec {
public:
  GraphExec() = default;
  ~GraphExec() {
    if (exec_ != nullptr)
      GPUCERT_CUDA_CHECK_NOEXCEPT(cudaGraphExecDestroy(exec_));
  }
  GraphExec(const GraphExec&) = delete;
  GraphExec& operator=(const GraphExec&) = delete;

  /// Captures `launches` empty-kernel launches on `stream` into one graph and instantiates it.
  void capture(const Stream& stream, int launches, unsigned* counter) {
    GPUCERT_CUDA_CHECK(cudaStreamBeginCapture(stream.get(), cudaStreamCaptureModeThreadLocal));
    cudaError_t launch_rc = cudaSuccess;
    for (int i = 0; i < launches && launch_rc == cudaSuccess; ++i)
      launch_rc = kernels::launch_empty(counter, stream.get());
    cudaGraph_t graph = nullptr;
    const cudaError_t end_rc = cudaStreamEndCapture(stream.get(), &graph); // always end capture
    GPUCERT_CUDA_CHECK(launch_rc);
    GPUCERT_CUDA_CHECK(end_rc);
    const cudaError_t inst_rc = cudaGraphInstantiate(&exec_, graph, 0);
    GPUCERT_CUDA_CHECK_NOEXCEPT(cudaGraphDestroy(graph)); // the instance keeps what it needs
    GPUCERT_CUDA_CHECK(inst_rc);
    GPUCERT_CUDA_CHECK(cudaGraphUpload(exec_, stream.get()));
  }
  void launch(const Stream& stream) const {
    GPUCERT_CUDA_CHECK(cudaGraphLaunch(exec_, stream.get()));
  }

private:
  cudaGraphExec_t exec_ = nullptr;
};

class LaunchInstance final : public TimedInstance {
public:
  LaunchInstance(const BenchmarkContext& ctx, const std::string& mode)
      : TimedInstance(target_gpu(ctx.target, 0)), graph_mode_(mode == "graph"),
        name_(fmt::format("launch.{}", mode)) {
    if (mode != "issue" && mode != "graph")
      throw InternalError(fmt::format("launch: unknown mode '{}'", mode));
    launches_ = static_cast<int>(param_int(ctx.params, name_, "launches", 1, 1'000'000));
  }

  ~LaunchInstance() override { drain(); }

  void setup() override {
    create_timing();
    counter_ = DeviceBuffer(sizeof(unsigned));
    if (graph_mode_) {
      timed_graph_.capture(*stream_, launches_, nullptr);
      counting_graph_.capture(*stream_, launches_, counter_.as<unsigned>());
    }
    GPUCERT_CUDA_CHECK(kernels::launch_empty(nullptr, stream_->get())); // loads the module
    stream_->synchronize();
  }

  Work work() const override {
    Work w;
    w.items = launches_;
    return w;
  }

  // No stream hold here, on purpose: launch cost is what is measured. The events bracket the
  // launches as the host issues them; an empty kernel retires faster than the next is issued,
  // so the time is the host's issue throughput (divided by the count by the harness), not the
  // latency of one launch from call to kernel start.
  double sample() override {
    set_device(gpu_);
    start_->record(*stream_);
    if (graph_mode_) {
      timed_graph_.launch(*stream_);
    } else {
      for (int i = 0; i < launches_; ++i)
        GPUCERT_CUDA_CHECK(kernels::launch_empty(nullptr, stream_->get()));
    }
    stop_->record(*stream_);
    stop_->synchronize();
    return elapsed_seconds(*start_, *stop_);
  }

  // Runs the same launches again with a counting kernel (the timed kernels do not touch memory)
  // and checks that every one of them executed.
  Verification verify() override {
    set_device(gpu_);
    const unsigned initial = corrupted_ ? 1u : 0u;
    GPUCERT_CUDA_CHECK(cudaMemcpyAsync(counter_.get(), &initial, sizeof initial,
                                       cudaMemcpyHostToDevice, stream_->get()));
    if (graph_mode_) {
      counting_graph_.launch(*stream_);
    } else {
      for (int i = 0; i < launches_; ++i)
        GPUCERT_CUDA_CHECK(kernels::launch_empty(counter_.as<unsigned>(), stream_->get()));
    }
    unsigned count = 0;
    GPUCERT_CUDA_CHECK(cudaMemcpyAsync(&count, counter_.get(), sizeof count, cudaMemcpyDeviceToHost,
                                       stream_->get()));
    stream_->synchronize();
    Verification v;
    v.checked = true;
    v.passed = count == static_cast<unsigned>(launches_);
    v.detail =
        fmt::format("{} counting kernels {} executed {} time(s), expected {}", launches_,
                    graph_mode_ ? "in one graph" : "launched on the stream", count, launches_);
    return v;
  }

  nlohmann::json evidence() const override {
    return {{"device", device_.to_json()},
            {"launches_per_sample", launches_},
            {"kernel", "empty, 1 block x 1 thread"},
            {"method", graph_mode_ ? "one CUDA graph of N kernel nodes, launched once per sample"
                                   : "N cudaLaunchKernel calls back to back from one host thread, "
                                     "no blocking kernel: the host's issue rate"}};
  }

  void corrupt_output_for_test() override { corrupted_ = true; }

private:
  bool graph_mode_;
  std::string name_;
  int launches_ = 0;
  DeviceBuffer counter_;
  GraphExec timed_graph_, counting_graph_;
  bool corrupted_ = false;
};

} // namespace

std::unique_ptr<BenchmarkInstance> make_launch(const BenchmarkContext& ctx,
                                               const std::string& mode) {
  return std::make_unique<LaunchInstance>(ctx, mode);
}

void add_launch_instances(const Registry& registry, InstanceTable& t) {
  for (const BenchmarkDef* def : registry.family("launch")) {
    const std::string variant = variant_of(def->name);
    t.add(def->name, [variant](const BenchmarkContext& ctx) { return make_launch(ctx, variant); });
  }
}

} // namespace gpucert::cuda
