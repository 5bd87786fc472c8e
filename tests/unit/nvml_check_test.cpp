// GPUCERT_NVML_CHECK: success passes, a failure throws DeviceError naming the call, file:line
// and the return code (NVML's own text where a driver is loaded).
#include "harness/core/error.hpp"
#include "harness/inventory/nvml_check.hpp"

#include <gtest/gtest.h>

namespace gpucert {
namespace {

int fake_nvml_call(int rc) {
  return rc;
}

TEST(NvmlCheck, SuccessPasses) {
  EXPECT_NO_THROW(GPUCERT_NVML_CHECK(fake_nvml_call(0)));
}

TEST(NvmlCheck, FailureNamesCallFileLineAndCode) {
  try {
    GPUCERT_NVML_CHECK(fake_nvml_call(3));
    FAIL() << "expected a DeviceError";
  } catch (const DeviceError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.code(), ExitCode::environment);
    EXPECT_NE(msg.find("NVML error"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(3)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("`fake_nvml_call(3)`"), std::string::npos) << msg;
    EXPECT_NE(msg.find("nvml_check_test.cpp:"), std::string::npos) << msg;
  }
}

} // namespace
} // namespace gpucert
