// What a gpucert-mpi run is asked to do (its command line), as plain data.
#pragma once

#include <string>
#include <vector>

namespace gpucert::coll::mpi {

struct MpiOptions {
  std::string simulate;                 ///< simulated node; empty: real GPUs and NCCL
  std::vector<std::string> faults;      ///< --fault tokens (simulator only)
  std::vector<std::string> collectives; ///< names from the collective table
  std::string bytes = "1GiB";           ///< a sweep (sweep.hpp)
  std::string dtype = "float";
  bool inplace = false;
  int iters = 20; ///< collectives per sample
  bool graph = false;
  int samples = 10; ///< timed samples per size (fixed: every rank must run the same count)
  int warmup = 3;
  double timeout_s = 60; ///< per-sample collective deadline; rank 0's straggler deadline
  std::string out;       ///< results file rank 0 writes
  std::vector<std::string> command_line;
};

} // namespace gpucert::coll::mpi
