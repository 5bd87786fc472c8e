// gpucert-error-rates' command line.
#pragma once

#include "apps/error-rates/tables.hpp"

#include <string>
#include <vector>

namespace gpucert::error_rates {

struct Options {
  RunConfig config;
  std::vector<std::string> profiles; ///< files or names, as `gpucert --profile` takes them
  std::string format = "markdown";
  bool check = false;
  bool node = true; ///< table 2 (--no-node skips it)
};

/// Parses argv. Returns false after printing --help (exit 0); throws InputError on a bad option
/// (one line, naming it).
bool parse_options(int argc, char** argv, Options& o);

} // namespace gpucert::error_rates
