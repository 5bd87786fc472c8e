// Reading a benchmark's resolved parameters (canonical text, harness/measure/benchmark.hpp).
#pragma once

#include "harness/model/results.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>

namespace gpucert::cuda {

/// Throws InputError "<benchmark>: parameter '<name>' ..." when the parameter is missing.
std::string param_text(const Params& params, const std::string& benchmark, const std::string& name);
/// `fallback` when the parameter is absent (for optional, not-catalogued knobs).
std::string param_text_or(const Params& params, const std::string& name,
                          const std::string& fallback);
/// An integer in [min, max]; throws InputError naming the parameter otherwise.
std::int64_t param_int(const Params& params, const std::string& benchmark, const std::string& name,
                       std::int64_t min, std::int64_t max);
/// A byte count (canonical text is a plain integer; "1GiB" etc. are accepted too), >= min.
std::uint64_t param_bytes(const Params& params, const std::string& benchmark,
                          const std::string& name, std::uint64_t min);
/// One of `choices`; throws InputError listing them otherwise.
std::string param_choice(const Params& params, const std::string& benchmark,
                         const std::string& name, std::initializer_list<const char*> choices);
/// "true"/"false"/"1"/"0"/"yes"/"no".
bool parse_bool(const std::string& text, const std::string& what);

} // namespace gpucert::cuda
