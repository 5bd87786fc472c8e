// Move-only page-locked host memory placed on the GPU's NUMA node: what host<->device
// bandwidth is measured from (a remote node costs a socket hop and reads low).
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace gpucert::cuda {

class PinnedBuffer {
public:
  /// Fills the memory (first touch) with `init(ptr, bytes)`.
  using Init = std::function<void(void* ptr, std::size_t bytes)>;

  PinnedBuffer() = default;
  /// `bytes` of host memory near the GPU at `pci_bus_id`: an anonymous mapping bound to the
  /// GPU's NUMA node (mbind, MPOL_PREFERRED), first touched by `init` on a thread pinned to that
  /// node's CPUs, then page-locked and mapped into every device's address space
  /// (cudaHostRegister portable | mapped). Where that fails it falls back to cudaHostAlloc and
  /// says so in placement(). Throws DeviceError when no pinned memory can be had.
  PinnedBuffer(std::size_t bytes, const std::string& pci_bus_id, const Init& init);
  ~PinnedBuffer();
  PinnedBuffer(PinnedBuffer&& other) noexcept;
  PinnedBuffer& operator=(PinnedBuffer&& other) noexcept;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;

  void* get() const { return ptr_; }
  /// The same memory as seen by kernels (mapped pinned memory; equal to get() under UVA).
  void* device_ptr() const { return device_ptr_; }
  std::size_t size() const { return bytes_; }
  /// How the memory was placed: node, CPUs of the first touch, node of the first page.
  const nlohmann::json& placement() const { return placement_; }

private:
  void reset() noexcept;
  void* ptr_ = nullptr;
  void* device_ptr_ = nullptr;
  std::size_t bytes_ = 0;
  std::size_t mapped_bytes_ = 0; ///< > 0: mmap + cudaHostRegister; 0: cudaHostAlloc
  nlohmann::json placement_ = nlohmann::json::object();
};

} // namespace gpucert::cuda
