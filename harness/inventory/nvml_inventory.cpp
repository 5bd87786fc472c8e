// Reads every inventory field NVML offers; what a driver or GPU does not support is recorded
// as absent with NVML's own reason, never guessed.
#include "harness/inventory/nvml_inventory.hpp"

#include "harness/inventory/host_info.hpp"
#include "harness/inventory/nvml_library.hpp"
#include "harness/inventory/throttle_reasons.hpp"
#include "harness/model/inventory_fields.hpp"

#include <fmt/core.h>

#if defined(GPUCERT_HAVE_NVML_H)
#include "harness/inventory/nvml_api.hpp"
#include "harness/inventory/nvml_power.hpp"
#endif

namespace gpucert::inventory {

#if defined(GPUCERT_HAVE_NVML_H)
namespace {

/// Records why a call failed against each field it would have filled.
class Probe {
public:
  explicit Probe(Unavailable& unavailable) : unavailable_(unavailable) {}

  template <class F>
  bool ok(nvmlReturn_t rc, const nvml::Fn<F>& fn, std::initializer_list<const char*> fields) {
    if (rc == NVML_SUCCESS)
      return true;
    std::string reason = fmt::format("{}: {}", fn.name, nvml::error_string(rc));
    if (rc == NVML_ERROR_FUNCTION_NOT_FOUND)
      reason += " (this driver's libnvidia-ml lacks it)";
    for (const char* f : fields)
      unavailable_[f] = reason;
    return false;
  }

private:
  Unavailable& unavailable_;
};

std::string remote_type_name(nvmlIntNvLinkDeviceType_t t) {
  switch (t) {
  case NVML_NVLINK_DEVICE_TYPE_GPU:
    return "gpu";
  case NVML_NVLINK_DEVICE_TYPE_SWITCH:
    return "switch";
  case NVML_NVLINK_DEVICE_TYPE_IBMNPU:
    return "cpu";
  default:
    return "unknown";
  }
}

void probe_nvlinks(const nvml::Api& api, nvmlDevice_t dev, GpuInfo& g, Probe& p) {
  int total = 0, active = 0;
  for (unsigned link = 0; link < NVML_NVLINK_MAX_LINKS; ++link) {
    nvmlEnableState_t state = NVML_FEATURE_DISABLED;
    const nvmlReturn_t rc = api.nvmlDeviceGetNvLinkState(dev, link, &state);
    if (rc != NVML_SUCCESS) {
      // Link 0 "not supported" means the GPU has no NVLink; past the last link NVML answers
      // not-supported or invalid-argument, which ends the list. Anything else is a real failure.
      const bool end = rc == NVML_ERROR_NOT_SUPPORTED || rc == NVML_ERROR_INVALID_ARGUMENT;
      if (!end)
        p.ok(rc, api.nvmlDeviceGetNvLinkState,
             {"nvlink_links_active", "nvlink_links_total", "nvlinks"});
      if (!end)
        return;
      break;
    }
    ++total;
    NvLinkPeer peer;
    peer.link = static_cast<int>(link);
    peer.active = state == NVML_FEATURE_ENABLED;
    peer.remote_type = "unknown";
    if (peer.active) {
      ++active;
      nvmlPciInfo_t pci{};
      if (api.nvmlDeviceGetNvLinkRemotePciInfo_v2(dev, link, &pci) == NVML_SUCCESS)
        peer.remote_pci_bus_id = pci.busId;
      nvmlIntNvLinkDeviceType_t type = NVML_NVLINK_DEVICE_TYPE_UNKNOWN;
      if (api.nvmlDeviceGetNvLinkRemoteDeviceType(dev, link, &type) == NVML_SUCCESS)
        peer.remote_type = remote_type_name(type);
    }
    g.nvlinks.push_back(std::move(peer));
  }
  g.nvlink_links_total = total;
  g.nvlink_links_active = active;
}

void probe_memory_health(const nvml::Api& api, nvmlDevice_t dev, GpuInfo& g, Probe& p) {
  nvmlEnableState_t ecc = NVML_FEATURE_DISABLED, ecc_pending = NVML_FEATURE_DISABLED;
  if (p.ok(api.nvmlDeviceGetEccMode(dev, &ecc, &ecc_pending), api.nvmlDeviceGetEccMode,
           {"ecc_enabled"}))
    g.ecc_enabled = ecc == NVML_FEATURE_ENABLED;

  const struct {
    const char* name;
    nvmlMemoryErrorType_t type;
    nvmlEccCounterType_t counter;
    std::optional<std::uint64_t>& out;
  } counters[] = {
      {"ecc_corrected_volatile", NVML_MEMORY_ERROR_TYPE_CORRECTED, NVML_VOLATILE_ECC,
       g.ecc_corrected_volatile},
      {"ecc_uncorrected_volatile", NVML_MEMORY_ERROR_TYPE_UNCORRECTED, NVML_VOLATILE_ECC,
       g.ecc_uncorrected_volatile},
      {"ecc_corrected_aggregate", NVML_MEMORY_ERROR_TYPE_CORRECTED, NVML_AGGREGATE_ECC,
       g.ecc_corrected_aggregate},
      {"ecc_uncorrected_aggregate", NVML_MEMORY_ERROR_TYPE_UNCORRECTED, NVML_AGGREGATE_ECC,
       g.ecc_uncorrected_aggregate},
  };
  for (const auto& c : counters) {
    unsigned long long n = 0;
    if (p.ok(api.nvmlDeviceGetTotalEccErrors(dev, c.type, c.counter, &n),
             api.nvmlDeviceGetTotalEccErrors, {c.name}))
      c.out = n;
  }

  // Page retirement (up to Volta/Turing); Ampere and later remap rows instead.
  const struct {
    const char* name;
    nvmlPageRetirementCause_t cause;
    std::optional<std::uint64_t>& out;
  } pages[] = {
      {"retired_pages_sbe", NVML_PAGE_RETIREMENT_CAUSE_MULTIPLE_SINGLE_BIT_ECC_ERRORS,
       g.retired_pages_sbe},
      {"retired_pages_dbe", NVML_PAGE_RETIREMENT_CAUSE_DOUBLE_BIT_ECC_ERROR, g.retired_pages_dbe},
  };
  for (const auto& pg : pages) {
    unsigned int count = 0; // 0 with no buffer: "how many?"
    nvmlReturn_t rc = api.nvmlDeviceGetRetiredPages(dev, pg.cause, &count, nullptr);
    if (rc == NVML_ERROR_INSUFFICIENT_SIZE)
      rc = NVML_SUCCESS;
    if (p.ok(rc, api.nvmlDeviceGetRetiredPages, {pg.name}))
      pg.out = count;
  }
  nvmlEnableState_t pending = NVML_FEATURE_DISABLED;
  if (p.ok(api.nvmlDeviceGetRetiredPagesPendingStatus(dev, &pending),
           api.nvmlDeviceGetRetiredPagesPendingStatus, {"retired_pages_pending"}))
    g.retired_pages_pending = pending == NVML_FEATURE_ENABLED;

  unsigned int corr = 0, unc = 0, remap_pending = 0, failed = 0;
  if (p.ok(api.nvmlDeviceGetRemappedRows(dev, &corr, &unc, &remap_pending, &failed),
           api.nvmlDeviceGetRemappedRows,
           {"remapped_rows_correctable", "remapped_rows_uncorrectable", "remapped_rows_pending",
            "remapped_rows_failed"})) {
    g.remapped_rows_correctable = corr;
    g.remapped_rows_uncorrectable = unc;
    g.remapped_rows_pending = remap_pending != 0;
    g.remapped_rows_failed = failed != 0;
  }
}

void probe_device(const nvml::Api& api, nvmlDevice_t dev, GpuInfo& g, Probe& p) {
  char text[NVML_DEVICE_NAME_V2_BUFFER_SIZE + NVML_DEVICE_UUID_V2_BUFFER_SIZE] = {};
  if (p.ok(api.nvmlDeviceGetName(dev, text, sizeof text), api.nvmlDeviceGetName, {"name"}))
    g.name = text;
  if (p.ok(api.nvmlDeviceGetUUID(dev, text, sizeof text), api.nvmlDeviceGetUUID, {"uuid"}))
    g.uuid = text;
  if (p.ok(api.nvmlDeviceGetSerial(dev, text, sizeof text), api.nvmlDeviceGetSerial, {"serial"}))
    g.serial = text;
  nvmlPciInfo_t pci{};
  if (p.ok(api.nvmlDeviceGetPciInfo_v3(dev, &pci), api.nvmlDeviceGetPciInfo_v3, {"pci_bus_id"}))
    g.pci_bus_id = pci.busId;

  nvmlMemory_t mem{};
  if (p.ok(api.nvmlDeviceGetMemoryInfo(dev, &mem), api.nvmlDeviceGetMemoryInfo,
           {"memory_total_bytes", "memory_free_bytes"})) {
    g.memory_total_bytes = mem.total;
    g.memory_free_bytes = mem.free;
  }
  int major = 0, minor = 0;
  if (p.ok(api.nvmlDeviceGetCudaComputeCapability(dev, &major, &minor),
           api.nvmlDeviceGetCudaComputeCapability, {"compute_capability"}))
    g.compute_capability = fmt::format("{}.{}", major, minor);

  const struct {
    const char* name;
    const nvml::Fn<decltype(::nvmlDeviceGetClockInfo)>& fn;
    nvmlClockType_t type;
    std::optional<int>& out;
  } clocks[] = {
      {"sm_clock_max_mhz", api.nvmlDeviceGetMaxClockInfo, NVML_CLOCK_SM, g.sm_clock_max_mhz},
      {"mem_clock_max_mhz", api.nvmlDeviceGetMaxClockInfo, NVML_CLOCK_MEM, g.mem_clock_max_mhz},
      {"sm_clock_mhz", api.nvmlDeviceGetClockInfo, NVML_CLOCK_SM, g.sm_clock_mhz},
      {"mem_clock_mhz", api.nvmlDeviceGetClockInfo, NVML_CLOCK_MEM, g.mem_clock_mhz},
  };
  for (const auto& c : clocks) {
    unsigned int mhz = 0;
    if (p.ok(c.fn(dev, c.type, &mhz), c.fn, {c.name}))
      c.out = static_cast<int>(mhz);
  }

  probe_power_limits(api, dev, g);
  unsigned int mw = 0;
  if (p.ok(api.nvmlDeviceGetPowerUsage(dev, &mw), api.nvmlDeviceGetPowerUsage, {"power_draw_w"}))
    g.power_draw_w = mw / 1000.0;
  int temp = 0;
  if (p.ok(api.gpu_temperature(dev, &temp), api.nvmlDeviceGetTemperatureV, {"temperature_c"}))
    g.temperature_c = temp;

  probe_memory_health(api, dev, g, p);

  unsigned int v = 0;
  if (p.ok(api.nvmlDeviceGetCurrPcieLinkGeneration(dev, &v),
           api.nvmlDeviceGetCurrPcieLinkGeneration, {"pcie_gen_current"}))
    g.pcie_gen_current = static_cast<int>(v);
  if (p.ok(api.nvmlDeviceGetMaxPcieLinkGeneration(dev, &v), api.nvmlDeviceGetMaxPcieLinkGeneration,
           {"pcie_gen_max"}))
    g.pcie_gen_max = static_cast<int>(v);
  if (p.ok(api.nvmlDeviceGetCurrPcieLinkWidth(dev, &v), api.nvmlDeviceGetCurrPcieLinkWidth,
           {"pcie_width_current"}))
    g.pcie_width_current = static_cast<int>(v);
  if (p.ok(api.nvmlDeviceGetMaxPcieLinkWidth(dev, &v), api.nvmlDeviceGetMaxPcieLinkWidth,
           {"pcie_width_max"}))
    g.pcie_width_max = static_cast<int>(v);

  probe_nvlinks(api, dev, g, p);

  unsigned int mig = 0, mig_pending = 0;
  if (p.ok(api.nvmlDeviceGetMigMode(dev, &mig, &mig_pending), api.nvmlDeviceGetMigMode,
           {"mig_enabled"}))
    g.mig_enabled = mig == NVML_DEVICE_MIG_ENABLE;
  nvmlEnableState_t persistence = NVML_FEATURE_DISABLED;
  if (p.ok(api.nvmlDeviceGetPersistenceMode(dev, &persistence), api.nvmlDeviceGetPersistenceMode,
           {"persistence_mode"}))
    g.persistence_mode = persistence == NVML_FEATURE_ENABLED;
  unsigned long long mask = 0;
  if (p.ok(api.clock_event_reasons(dev, &mask), api.nvmlDeviceGetCurrentClocksEventReasons,
           {"throttle_reasons"}))
    g.throttle_reasons = throttle_reason_names(mask);
}

} // namespace

void probe_power_limits(const nvml::Api& api, nvmlDevice_t dev, GpuInfo& g) {
  Probe p(g.unavailable);
  // The enforced limit is the one the card runs under: the lowest of every limiter, a cap set
  // out of band (BMC, Redfish) included. The management limit is only what nvidia-smi -pl set,
  // so a BMC cap would pass a check against it; it is never used in its place.
  unsigned int mw = 0;
  if (p.ok(api.nvmlDeviceGetEnforcedPowerLimit(dev, &mw), api.nvmlDeviceGetEnforcedPowerLimit,
           {"power_limit_w"}))
    g.power_limit_w = mw / 1000.0;
  if (p.ok(api.nvmlDeviceGetPowerManagementDefaultLimit(dev, &mw),
           api.nvmlDeviceGetPowerManagementDefaultLimit, {"power_default_limit_w"}))
    g.power_default_limit_w = mw / 1000.0;
}

GpuInfo probe_gpu(int index, const std::string& pci_bus_id) {
  const nvml::Api& api = nvml::api();
  GpuInfo g;
  g.index = index;
  g.unavailable["sm_count"] = "NVML does not report it; the CUDA runtime does";
  g.unavailable["l2_cache_bytes"] = "NVML does not report it; the CUDA runtime does";
  Probe p(g.unavailable);

  std::string numa_reason;
  if (auto numa = pci_numa_node(pci_bus_id, numa_reason))
    g.numa_node = *numa;
  else
    g.unavailable["numa_node"] = numa_reason;

  nvmlDevice_t dev = nullptr;
  const nvmlReturn_t rc = api.nvmlDeviceGetHandleByPciBusId_v2(pci_bus_id.c_str(), &dev);
  if (rc != NVML_SUCCESS) {
    const std::string reason = fmt::format("{}({}): {}", api.nvmlDeviceGetHandleByPciBusId_v2.name,
                                           pci_bus_id, nvml::error_string(rc));
    for_each_gpu_field(g, [&](const char* name, auto& field) {
      if (!field)
        g.unavailable.try_emplace(name, reason);
    });
    g.unavailable["nvlinks"] = reason;
    g.pci_bus_id = pci_bus_id; // what CUDA reported: the GPU is there, NVML cannot read it
    g.unavailable.erase("pci_bus_id");
    return g;
  }
  probe_device(api, dev, g, p);
  return g;
}

#else // built without nvml.h: nvml::ensure_loaded() says so

GpuInfo probe_gpu(int, const std::string&) {
  nvml::ensure_loaded();
  return {};
}

#endif

NodeInfo probe_node() {
  NodeInfo node;
  probe_host(node);
  for (const char* f : {"cuda_runtime_version", "cublas_version", "nccl_version"})
    node.unavailable[f] = "built without CUDA";
#if defined(GPUCERT_HAVE_NVML_H)
  const nvml::Api& api = nvml::api();
  Probe p(node.unavailable);
  char version[NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE] = {};
  if (p.ok(api.nvmlSystemGetDriverVersion(version, sizeof version), api.nvmlSystemGetDriverVersion,
           {"driver_version"}))
    node.driver_version = version;
  int cuda = 0;
  if (p.ok(api.nvmlSystemGetCudaDriverVersion_v2(&cuda), api.nvmlSystemGetCudaDriverVersion_v2,
           {"cuda_driver_version"}))
    node.cuda_driver_version = fmt::format("{}.{}", cuda / 1000, (cuda % 1000) / 10);
#else
  nvml::ensure_loaded();
#endif
  return node;
}

} // namespace gpucert::inventory
