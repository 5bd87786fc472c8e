// NVML telemetry sampler (see nvml_telemetry.hpp): one thread reads every GPU each period.
#include "harness/inventory/nvml_telemetry.hpp"

#include "harness/core/error.hpp"
#include "harness/inventory/nvml_library.hpp"
#include "harness/inventory/telemetry_summary.hpp"

#include <condition_variable>
#include <fmt/core.h>
#include <mutex>
#include <thread>

#if defined(GPUCERT_HAVE_NVML_H)
#include "harness/inventory/nvml_api.hpp"
#endif

namespace gpucert::inventory {

struct NvmlTelemetrySampler::Impl {
  struct Device {
    Gpu gpu;
#if defined(GPUCERT_HAVE_NVML_H)
    nvmlDevice_t handle = nullptr;
#endif
    std::string unavailable_reason; ///< why this GPU cannot be read; empty when it can
    std::vector<TelemetryPoint> points;
  };

#if defined(GPUCERT_HAVE_NVML_H)
  const nvml::Api* api = nullptr; ///< null when NVML could not be loaded
#endif
  std::chrono::milliseconds period;
  std::vector<Device> devices;
  std::mutex mu;
  std::condition_variable wake;
  bool running = false;
  std::thread thread;

  void read_all() {
#if defined(GPUCERT_HAVE_NVML_H)
    if (api == nullptr)
      return;
    for (auto& d : devices) {
      if (d.handle == nullptr)
        continue;
      TelemetryPoint p;
      unsigned int v = 0;
      if (api->nvmlDeviceGetClockInfo(d.handle, NVML_CLOCK_SM, &v) == NVML_SUCCESS)
        p.sm_clock_mhz = v;
      if (api->nvmlDeviceGetClockInfo(d.handle, NVML_CLOCK_MEM, &v) == NVML_SUCCESS)
        p.mem_clock_mhz = v;
      if (api->nvmlDeviceGetPowerUsage(d.handle, &v) == NVML_SUCCESS)
        p.power_w = v / 1000.0;
      int celsius = 0;
      if (api->gpu_temperature(d.handle, &celsius) == NVML_SUCCESS)
        p.temperature_c = celsius;
      unsigned long long mask = 0;
      if (api->clock_event_reasons(d.handle, &mask) == NVML_SUCCESS)
        p.throttle_mask = mask;
      d.points.push_back(p);
    }
#endif
  }

  void loop() {
    std::unique_lock lock(mu);
    while (running) {
      read_all();
      wake.wait_for(lock, period, [this] { return !running; });
    }
  }
};

NvmlTelemetrySampler::NvmlTelemetrySampler(std::vector<Gpu> gpus, std::chrono::milliseconds period)
    : impl_(std::make_unique<Impl>()) {
  impl_->period = period;
  std::string load_error;
  try {
    nvml::ensure_loaded();
  } catch (const EnvironmentError& e) {
    load_error = e.what();
  }
  for (auto& g : gpus) {
    Impl::Device d;
    d.gpu = std::move(g);
#if defined(GPUCERT_HAVE_NVML_H)
    if (load_error.empty()) {
      impl_->api = &nvml::api();
      const nvmlReturn_t rc =
          impl_->api->nvmlDeviceGetHandleByPciBusId_v2(d.gpu.pci_bus_id.c_str(), &d.handle);
      if (rc != NVML_SUCCESS) {
        d.handle = nullptr;
        d.unavailable_reason = fmt::format("nvmlDeviceGetHandleByPciBusId_v2({}): {}",
                                           d.gpu.pci_bus_id, nvml::error_string(rc));
      }
    }
#endif
    if (!load_error.empty())
      d.unavailable_reason = load_error;
    impl_->devices.push_back(std::move(d));
  }
}

NvmlTelemetrySampler::~NvmlTelemetrySampler() {
  if (impl_->thread.joinable())
    stop();
}

void NvmlTelemetrySampler::start() {
  if (impl_->thread.joinable())
    stop();
  std::lock_guard lock(impl_->mu);
  for (auto& d : impl_->devices)
    d.points.clear();
  impl_->running = true;
  impl_->thread = std::thread([this] { impl_->loop(); });
}

std::map<int, TelemetrySummary> NvmlTelemetrySampler::stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->running = false;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable())
    impl_->thread.join();
  impl_->read_all(); // the window's last reading, so even a short window has two
  std::map<int, TelemetrySummary> out;
  for (const auto& d : impl_->devices) {
    const std::string reason = d.unavailable_reason.empty()
                                   ? "NVML gave no clock, power, temperature or throttle reading"
                                   : d.unavailable_reason;
    out[d.gpu.index] = summarise_telemetry(d.points, reason);
  }
  return out;
}

} // namespace gpucert::inventory
