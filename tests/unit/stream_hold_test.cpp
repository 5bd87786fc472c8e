// The stream hold's detection of serialised launches from the environment: CUDA_LAUNCH_BLOCKING
// unset, empty or 0 is off, anything else is taken as on. With launches serialised, a held stream
// would wait for a release the host can only give after the hold has ended, so the hold must
// stand aside (the probe that catches profilers needs a GPU: tests/gpu).
#if defined(GPUCERT_HAVE_CUDA)

#include "harness/backends/cuda/stream_hold.hpp"

#include <gtest/gtest.h>

namespace gpucert::cuda {
namespace {

TEST(StreamHoldDetection, LaunchBlockingOffLeavesTheHold) {
  EXPECT_EQ(launch_blocking_reason(nullptr), "");
  EXPECT_EQ(launch_blocking_reason(""), "");
  EXPECT_EQ(launch_blocking_reason("0"), "");
  EXPECT_EQ(launch_blocking_reason("00"), "");
}

TEST(StreamHoldDetection, LaunchBlockingOnIsNamedInTheReason) {
  for (const char* on : {"1", "2", "yes", "true", "1 "}) {
    const std::string why = launch_blocking_reason(on);
    EXPECT_NE(why.find(std::string("CUDA_LAUNCH_BLOCKING=") + on), std::string::npos) << on;
    EXPECT_NE(why.find("wait for the kernel"), std::string::npos) << why;
  }
}

TEST(StreamHoldDetection, ProbeIsShortAndBelowTheHoldTimeout) {
  // The probe costs at most its timeout once per instance when launches are serialised; it
  // must stay far below the hold's own timeout, which ends every sample in error.
  EXPECT_LE(StreamHold::kProbeTimeoutNs, 500'000'000ull);
  EXPECT_LT(StreamHold::kProbeTimeoutNs * 10, StreamHold::kTimeoutNs);
}

} // namespace
} // namespace gpucert::cuda

#endif
