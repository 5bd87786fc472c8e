// Move-only owner of a cudaMalloc allocation on the device current at construction.
#pragma once

#include <cstddef>
#include <utility>

namespace gpucert::cuda {

class DeviceBuffer {
public:
  DeviceBuffer() = default;
  /// Allocates `bytes` on the current device; throws DeviceError naming the size on failure.
  explicit DeviceBuffer(std::size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& other) noexcept
      : ptr_(std::exchange(other.ptr_, nullptr)), bytes_(std::exchange(other.bytes_, 0)),
        device_(other.device_) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
      reset();
      ptr_ = std::exchange(other.ptr_, nullptr);
      bytes_ = std::exchange(other.bytes_, 0);
      device_ = other.device_;
    }
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* get() const { return ptr_; }
  template <typename T> T* as() const { return static_cast<T*>(ptr_); }
  std::size_t size() const { return bytes_; }
  explicit operator bool() const { return ptr_ != nullptr; }
  void reset() noexcept;

private:
  void* ptr_ = nullptr;
  std::size_t bytes_ = 0;
  int device_ = -1; ///< freed with this device current, whichever is current then
};

} // namespace gpucert::cuda
