// Exit codes: one meaning each, as the README's table fixes them.
#include "harness/core/error.hpp"

#include <gtest/gtest.h>

namespace gpucert {
TEST(ExitCodes, ValuesMatchTheContract) {
  EXPECT_EQ(static_cast<int>(ExitCode::certified), 0);
  EXPECT_EQ(static_cast<int>(ExitCode::not_certified), 1);
  EXPECT_EQ(static_cast<int>(ExitCode::bad_input), 2);
  EXPECT_EQ(static_cast<int>(ExitCode::environment), 3);
  EXPECT_EQ(static_cast<int>(ExitCode::internal), 4);
  EXPECT_EQ(static_cast<int>(ExitCode::inconclusive), 5);
}
TEST(ExitCodes, TypedErrorsCarryTheirCode) {
  EXPECT_EQ(InputError("x").code(), ExitCode::bad_input);
  EXPECT_EQ(EnvironmentError("x").code(), ExitCode::environment);
  EXPECT_EQ(DeviceError("x").code(), ExitCode::environment);
  EXPECT_EQ(InternalError("x").code(), ExitCode::internal);
}
} // namespace gpucert
