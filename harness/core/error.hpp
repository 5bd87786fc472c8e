// Typed errors: each carries the exit code it maps to; main converts them in one place.
#pragma once

#include <stdexcept>
#include <string>

namespace gpucert {

/// Exit codes, one meaning each (the table in README.md).
enum class ExitCode : int {
  certified = 0,     ///< every clause PASS or SKIPPED
  not_certified = 1, ///< a clause FAIL or ERROR
  bad_input = 2,     ///< usage, profile, results file, fault spec
  environment = 3,   ///< no GPU, no driver, driver too old, NCCL cannot start
  internal = 4,      ///< a bug in gpucert
  inconclusive = 5,  ///< no FAIL/ERROR, but a clause could not be decided within its budget
};

class Error : public std::runtime_error {
public:
  Error(ExitCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  ExitCode code() const noexcept { return code_; }

private:
  ExitCode code_;
};

/// Bad user input: usage, profile, results file, fault token. Message names file:line:col/field.
class InputError : public Error {
public:
  explicit InputError(const std::string& what) : Error(ExitCode::bad_input, what) {}
};

/// The environment cannot do what was asked: no driver, no GPU, library missing.
class EnvironmentError : public Error {
public:
  explicit EnvironmentError(const std::string& what) : Error(ExitCode::environment, what) {}
};

/// A device/library call failed while measuring (CUDA, cuBLAS, NCCL, NVML). Measurement code
/// catches it per benchmark and records ERROR for that clause; it only reaches main outside a run.
class DeviceError : public Error {
public:
  explicit DeviceError(const std::string& what) : Error(ExitCode::environment, what) {}
};

/// An invariant of gpucert itself broke.
class InternalError : public Error {
public:
  explicit InternalError(const std::string& what) : Error(ExitCode::internal, what) {}
};

} // namespace gpucert
