// The registry of built-in benchmarks, and the metric/axis builders the family files share.
#include "harness/benchmarks/catalog.hpp"

#include "harness/benchmarks/families.hpp"

namespace gpucert {

#define GPUCERT_DECLARE_FAMILY(family) void register_##family(Registry& r);
GPUCERT_BENCHMARK_FAMILIES(GPUCERT_DECLARE_FAMILY)
#undef GPUCERT_DECLARE_FAMILY

const Registry& builtin_registry() {
  static const Registry registry = [] {
    Registry r;
#define GPUCERT_REGISTER_FAMILY(family) register_##family(r);
    GPUCERT_BENCHMARK_FAMILIES(GPUCERT_REGISTER_FAMILY)
#undef GPUCERT_REGISTER_FAMILY
    return r;
  }();
  return registry;
}

MetricDef gbps_metric(std::string name, std::string description) {
  return {std::move(name), "GB/s", std::move(description), true,
          [](double seconds, const Work& w) { return w.bytes / seconds / 1e9; }};
}

MetricDef tflops_metric(std::string name, std::string description) {
  return {std::move(name), "TFLOP/s", std::move(description), true,
          [](double seconds, const Work& w) { return w.flops / seconds / 1e12; }};
}

MetricDef us_per_item_metric(std::string name, std::string description) {
  return {std::move(name), "us", std::move(description), false,
          [](double seconds, const Work& w) { return seconds / w.items * 1e6; }};
}

Axis integer_axis(std::string name, std::string default_value, std::string description) {
  return {std::move(name),       Axis::Kind::integer, std::move(default_value), {}, {},
          std::move(description)};
}

Axis bytes_axis(std::string name, std::string default_value, std::string description) {
  return {std::move(name),       Axis::Kind::bytes, std::move(default_value), {}, {},
          std::move(description)};
}

Axis choice_axis(std::string name, std::vector<std::string> choices, std::string default_value,
                 std::string description) {
  return {
      std::move(name),       Axis::Kind::choice, std::move(default_value), std::move(choices), {},
      std::move(description)};
}

Axis boolean_axis(std::string name, std::string default_value, std::string description) {
  return {std::move(name),       Axis::Kind::boolean, std::move(default_value), {}, {},
          std::move(description)};
}

Axis engine_axis() {
  Axis a = choice_axis("engine", {"ce", "sm"}, "ce",
                       "ce: copy engine (cudaMemcpyAsync); sm: a copy kernel on the SMs");
  a.sweep = {"ce", "sm"};
  return a;
}

} // namespace gpucert
