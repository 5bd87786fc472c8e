// Parameter parsing with errors that name the benchmark and parameter.
#include "harness/backends/cuda/params.hpp"

#include "harness/core/error.hpp"
#include "harness/measure/benchmark.hpp"

#include <cctype>
#include <charconv>
#include <fmt/core.h>

namespace gpucert::cuda {

std::string param_text(const Params& params, const std::string& benchmark,
                       const std::string& name) {
  const auto it = params.find(name);
  if (it == params.end())
    throw InputError(fmt::format("{}: parameter '{}' is missing", benchmark, name));
  return it->second;
}

std::string param_text_or(const Params& params, const std::string& name,
                          const std::string& fallback) {
  const auto it = params.find(name);
  return it == params.end() ? fallback : it->second;
}

std::int64_t param_int(const Params& params, const std::string& benchmark, const std::string& name,
                       std::int64_t min, std::int64_t max) {
  const std::string text = param_text(params, benchmark, name);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    throw InputError(
        fmt::format("{}: parameter '{}' = '{}' is not an integer", benchmark, name, text));
  if (v < min || v > max)
    throw InputError(
        fmt::format("{}: parameter '{}' = {} is outside [{}, {}]", benchmark, name, v, min, max));
  return v;
}

std::uint64_t param_bytes(const Params& params, const std::string& benchmark,
                          const std::string& name, std::uint64_t min) {
  const std::string text = param_text(params, benchmark, name);
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    const double d = parse_bytes(text); // not canonical: "1GiB", "2GB"; throws InputError
    v = static_cast<std::uint64_t>(d);
  }
  if (v < min)
    throw InputError(
        fmt::format("{}: parameter '{}' = {} bytes is below {}", benchmark, name, v, min));
  return v;
}

std::string param_choice(const Params& params, const std::string& benchmark,
                         const std::string& name, std::initializer_list<const char*> choices) {
  const std::string text = param_text(params, benchmark, name);
  std::string all;
  for (const char* c : choices) {
    if (text == c)
      return text;
    all += all.empty() ? c : fmt::format(", {}", c);
  }
  throw InputError(
      fmt::format("{}: parameter '{}' = '{}' is not one of {}", benchmark, name, text, all));
}

bool parse_bool(const std::string& text, const std::string& what) {
  std::string t;
  for (char c : text)
    t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "true" || t == "1" || t == "yes")
    return true;
  if (t == "false" || t == "0" || t == "no")
    return false;
  throw InputError(fmt::format("{} = '{}' is not a boolean (true/false)", what, text));
}

} // namespace gpucert::cuda
