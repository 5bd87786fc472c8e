// `gpucert list [--json]`: every registered benchmark with its scope, axes and metrics, read
// from the registry (so the list can never drift from what `run` accepts).
#include "harness/backends/sim/models/models.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/std_output.hpp"

#include <cstdio>
#include <fmt/core.h>
#include <fmt/format.h>

namespace gpucert::cli {

namespace {

std::string kind_name(Axis::Kind k) {
  switch (k) {
  case Axis::Kind::integer:
    return "integer";
  case Axis::Kind::bytes:
    return "bytes";
  case Axis::Kind::choice:
    return "choice";
  case Axis::Kind::boolean:
    return "boolean";
  }
  return "unknown";
}

std::vector<std::string> backends_of(const BenchmarkDef& d) {
  // Every family of the catalogue has a CUDA instance: the CUDA backend's table is built from
  // the same family list and refuses to load with a benchmark missing. Asking the plugin here
  // would load CUDA just to list names.
  std::vector<std::string> out{"cuda"};
  if (sim::builtin_models().instances.find(d.name))
    out.push_back("sim");
  return out;
}

nlohmann::json list_json(const Registry& r) {
  nlohmann::json benchmarks = nlohmann::json::array();
  for (const auto& d : r.all()) {
    nlohmann::json axes = nlohmann::json::array();
    for (const auto& a : d.axes) {
      nlohmann::json ax = {{"name", a.name},
                           {"kind", kind_name(a.kind)},
                           {"default", a.default_value},
                           {"description", a.description}};
      if (a.kind == Axis::Kind::choice)
        ax["choices"] = a.choices;
      axes.push_back(ax);
    }
    nlohmann::json metrics = nlohmann::json::array();
    for (const auto& m : d.metrics)
      metrics.push_back({{"name", m.name},
                         {"unit", m.unit},
                         {"higher_is_better", m.higher_is_better},
                         {"description", m.description}});
    benchmarks.push_back({{"name", d.name},
                          {"scope", to_string(d.scope)},
                          {"description", d.description},
                          {"axes", axes},
                          {"metrics", metrics},
                          {"backends", backends_of(d)}});
  }
  return {{"schema", "gpucert/benchmarks/v1"}, {"benchmarks", benchmarks}};
}

std::string axis_text(const Axis& a) {
  std::string values;
  switch (a.kind) {
  case Axis::Kind::choice:
    values = fmt::format("{{{}}}", fmt::join(a.choices, ","));
    break;
  case Axis::Kind::boolean:
    values = "{true,false}";
    break;
  case Axis::Kind::bytes:
    values = "size"; // 4096, 512MiB, 8GiB, 2GB
    break;
  case Axis::Kind::integer:
    values = "integer";
    break;
  }
  return fmt::format("{}: {} [{}]", a.name, values, a.default_value);
}

std::string list_text(const Registry& r) {
  std::string out;
  for (const auto& d : r.all()) {
    out += fmt::format("{}  ({})  {}\n", d.name, to_string(d.scope), d.description);
    std::vector<std::string> axes;
    for (const auto& a : d.axes)
      axes.push_back(axis_text(a));
    out += fmt::format("    params:   {}\n",
                       axes.empty() ? "none" : fmt::format("{}", fmt::join(axes, "; ")));
    for (const auto& m : d.metrics)
      out += fmt::format("    metric:   {} ({}, {} is better)\n", m.name, m.unit,
                         m.higher_is_better ? "higher" : "lower");
    const auto backends = backends_of(d);
    out += fmt::format("    backends: {}\n", backends.empty()
                                                 ? "none in this build"
                                                 : fmt::format("{}", fmt::join(backends, ", ")));
  }
  return out;
}

} // namespace

void add_list(CLI::App& app, Commands& cmds) {
  auto* sub = app.add_subcommand("list", "List benchmarks, their parameters and metrics");
  auto json = std::make_shared<bool>(false);
  sub->add_flag("--json", *json, "Machine-readable output (schema gpucert/benchmarks/v1)");
  cmds.push_back({sub, [json]() -> ExitCode {
                    const Registry& r = builtin_registry();
                    const std::string text = *json ? list_json(r).dump(2) + "\n" : list_text(r);
                    write_stdout(text);
                    return ExitCode::certified;
                  }});
}

} // namespace gpucert::cli
