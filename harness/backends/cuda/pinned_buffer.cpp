// NUMA-local pinned host memory with raw syscalls (mbind, get_mempolicy, sched_setaffinity):
// libnuma is not a dependency.
#include "harness/backends/cuda/pinned_buffer.hpp"

#include "harness/backends/cuda/cuda_check.hpp"
#include "harness/backends/cuda/numa.hpp"

#include <cerrno>
#include <cstring>
#include <cuda_runtime_api.h>
#include <exception>
#include <fmt/core.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

namespace gpucert::cuda {
namespace {

// From <linux/mempolicy.h>, spelled out so no kernel/libnuma header is needed.
constexpr int kMpolPreferred = 1;
constexpr int kMpolFNode = 1 << 0;
constexpr int kMpolFAddr = 1 << 1;

std::string errno_text(int e) {
  return fmt::format("{} ({})", std::strerror(e), e);
}

/// mbind(addr, len, MPOL_PREFERRED, {node}); empty on success, else why not.
std::string bind_to_node(void* addr, std::size_t len, int node) {
  constexpr std::size_t kBitsPerWord = 8 * sizeof(unsigned long);
  std::vector<unsigned long> mask(static_cast<std::size_t>(node) / kBitsPerWord + 1, 0);
  mask[static_cast<std::size_t>(node) / kBitsPerWord] |=
      1ul << (static_cast<std::size_t>(node) % kBitsPerWord);
  // The kernel reads maxnode - 1 bits of the mask.
  const unsigned long maxnode = mask.size() * kBitsPerWord + 1;
  if (syscall(SYS_mbind, addr, len, kMpolPreferred, mask.data(), maxnode, 0u) != 0)
    return "mbind failed: " + errno_text(errno);
  return {};
}

/// Node the page at addr lives on, or -1.
int node_of_page(void* addr) {
  int node = -1;
  if (syscall(SYS_get_mempolicy, &node, nullptr, 0ul, addr, kMpolFNode | kMpolFAddr) != 0)
    return -1;
  return node;
}

/// Runs init on a thread allowed only on `cpus` (intersected with what this process may use),
/// so the kernel's first-touch policy places the pages on their node even if mbind was refused.
/// Returns the CPUs it ran on (empty: no binding was possible, ran unbound).
std::vector<int> first_touch(void* ptr, std::size_t bytes, const std::vector<int>& cpus,
                             const PinnedBuffer::Init& init) {
  std::vector<int> used;
  std::exception_ptr failed;
  std::thread worker([&] {
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
      cpu_set_t want;
      CPU_ZERO(&want);
      for (int c : cpus)
        if (c < CPU_SETSIZE && CPU_ISSET(c, &allowed)) {
          CPU_SET(c, &want);
          used.push_back(c);
        }
      if (used.empty() || sched_setaffinity(0, sizeof want, &want) != 0)
        used.clear();
    }
    try {
      init(ptr, bytes);
    } catch (...) {
      failed = std::current_exception();
    }
  });
  worker.join();
  if (failed)
    std::rethrow_exception(failed);
  return used;
}

std::string cpu_ranges(const std::vector<int>& cpus) {
  std::string s;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1)
      ++j;
    if (!s.empty())
      s += ',';
    s += j == i ? std::to_string(cpus[i]) : fmt::format("{}-{}", cpus[i], cpus[j]);
    i = j + 1;
  }
  return s;
}

} // namespace

PinnedBuffer::PinnedBuffer(std::size_t bytes, const std::string& pci_bus_id, const Init& init)
    : bytes_(bytes) {
  const NumaNode numa = numa_node_of_pci(pci_bus_id);
  placement_["gpu_numa_node"] = numa.node;
  placement_["numa_source"] = numa.reason;

  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t len = (bytes + page - 1) / page * page;
  void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  std::string why_not;
  if (p == MAP_FAILED) {
    why_not = "mmap failed: " + errno_text(errno);
  } else {
    if (numa.node >= 0) {
      const std::string bind = bind_to_node(p, len, numa.node);
      placement_["mbind"] = bind.empty() ? "preferred node " + std::to_string(numa.node) : bind;
    }
    const std::vector<int> cpus = first_touch(p, bytes, numa.cpus, init);
    placement_["first_touch_cpus"] = cpus.empty() ? "unbound" : cpu_ranges(cpus);
    placement_["first_page_node"] = node_of_page(p);
    const cudaError_t rc =
        cudaHostRegister(p, len, cudaHostRegisterPortable | cudaHostRegisterMapped);
    if (rc == cudaSuccess) {
      ptr_ = p;
      mapped_bytes_ = len;
      placement_["allocation"] = "mmap + cudaHostRegister";
    } else {
      why_not = detail::cuda_message(rc, "cudaHostRegister", __FILE__, __LINE__);
      (void)cudaGetLastError();
      munmap(p, len);
    }
  }
  if (ptr_ == nullptr) {
    // Pinned memory without placement beats no measurement; the placement says which it was.
    GPUCERT_CUDA_CHECK(cudaHostAlloc(&ptr_, bytes, cudaHostAllocPortable | cudaHostAllocMapped));
    init(ptr_, bytes);
    placement_["allocation"] = "cudaHostAlloc (no NUMA placement: " + why_not + ")";
    placement_["first_page_node"] = node_of_page(ptr_);
  }
  try {
    GPUCERT_CUDA_CHECK(cudaHostGetDevicePointer(&device_ptr_, ptr_, 0));
  } catch (...) {
    reset();
    throw;
  }
}

PinnedBuffer::~PinnedBuffer() {
  reset();
}

PinnedBuffer::PinnedBuffer(PinnedBuffer&& o) noexcept
    : ptr_(std::exchange(o.ptr_, nullptr)), device_ptr_(std::exchange(o.device_ptr_, nullptr)),
      bytes_(std::exchange(o.bytes_, 0)), mapped_bytes_(std::exchange(o.mapped_bytes_, 0)),
      placement_(std::move(o.placement_)) {}

PinnedBuffer& PinnedBuffer::operator=(PinnedBuffer&& o) noexcept {
  if (this != &o) {
    reset();
    ptr_ = std::exchange(o.ptr_, nullptr);
    device_ptr_ = std::exchange(o.device_ptr_, nullptr);
    bytes_ = std::exchange(o.bytes_, 0);
    mapped_bytes_ = std::exchange(o.mapped_bytes_, 0);
    placement_ = std::move(o.placement_);
  }
  return *this;
}

void PinnedBuffer::reset() noexcept {
  if (ptr_ != nullptr) {
    if (mapped_bytes_ > 0) {
      GPUCERT_CUDA_CHECK_NOEXCEPT(cudaHostUnregister(ptr_));
      munmap(ptr_, mapped_bytes_);
    } else {
      GPUCERT_CUDA_CHECK_NOEXCEPT(cudaFreeHost(ptr_));
    }
  }
  ptr_ = device_ptr_ = nullptr;
  bytes_ = mapped_bytes_ = 0;
}

} // namespace gpucert::cuda
