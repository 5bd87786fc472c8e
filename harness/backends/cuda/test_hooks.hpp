// Test-only access to the CUDA instances: the GPU test tier corrupts an instance's output after
// its timed samples and checks that verify() catches it.
#pragma once

namespace gpucert::cuda {

/// Implemented by every CUDA benchmark instance next to BenchmarkInstance; reach it with
/// dynamic_cast. Never called outside tests.
class CorruptibleOutput {
public:
  virtual ~CorruptibleOutput() = default;
  /// Damages what the next verify() checks (a GEMM's output, a copy's destination, a launch
  /// count) so that a correct verify() must fail.
  virtual void corrupt_output_for_test() = 0;
};

} // namespace gpucert::cuda
