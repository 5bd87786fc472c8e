// Makes a device current for a scope and restores the caller's device afterwards: for freeing
// or destroying objects of one GPU while another is current (P2P instances own both).
#pragma once

#include <cuda_runtime_api.h>

namespace gpucert::cuda {

class DeviceScope {
public:
  /// Never throws: used on cleanup paths. A failure leaves the current device as it was.
  explicit DeviceScope(int device) noexcept {
    if (cudaGetDevice(&previous_) != cudaSuccess) {
      (void)cudaGetLastError();
      previous_ = -1;
      return;
    }
    if (device >= 0 && device != previous_ && cudaSetDevice(device) != cudaSuccess)
      (void)cudaGetLastError();
  }
  ~DeviceScope() {
    if (previous_ >= 0 && cudaSetDevice(previous_) != cudaSuccess)
      (void)cudaGetLastError();
  }
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

private:
  int previous_ = -1;
};

} // namespace gpucert::cuda
