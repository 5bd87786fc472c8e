// A backend's table of benchmark implementations, by benchmark name.
#include "harness/core/error.hpp"
#include "harness/measure/benchmark.hpp"

#include <fmt/format.h>

namespace gpucert {

void InstanceTable::add(const std::string& benchmark, InstanceFactory factory) {
  if (!factory)
    throw InternalError(fmt::format("instance table: '{}' has no factory", benchmark));
  if (!factories_.emplace(benchmark, std::move(factory)).second)
    throw InternalError(fmt::format("instance table: '{}' is implemented twice", benchmark));
}

const InstanceFactory* InstanceTable::find(const std::string& benchmark) const {
  const auto it = factories_.find(benchmark);
  return it == factories_.end() ? nullptr : &it->second;
}

std::vector<std::string> InstanceTable::names() const {
  std::vector<std::string> out;
  for (const auto& [name, factory] : factories_)
    out.push_back(name);
  return out;
}

} // namespace gpucert
