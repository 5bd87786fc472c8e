// Google Benchmark of the renderers on a standard H100x8 certificate (310 checks; the first node
// of the generated 1-node lot): host/report/FORMAT. The HTML page (charts included) has a
// budget of one second.
#include "apps/bench/report_benchmarks.hpp"

#include "apps/bench/fleet_benchmarks.hpp"
#include "harness/core/input_file.hpp"
#include "harness/fleet/inputs.hpp"
#include "reports/render.hpp"

#include <benchmark/benchmark.h>
#include <string>

namespace gpucert::bench {

namespace {

void render_format(benchmark::State& state, const std::string& format) {
  const auto certs = fleet::expand_inputs({lot_dir(1).string()});
  const std::string text = read_input_file(certs.at(0).string(), kCertificateInput);
  const report::Certificate cert = report::certificate_from_text(text, certs.at(0).string());
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string page = report::render(format, cert);
    bytes = page.size();
    benchmark::DoNotOptimize(page.data());
  }
  state.counters["checks"] = double(cert.checks.size());
  state.counters["KB_out"] = double(bytes) / 1e3;
}

} // namespace

void register_report_benchmarks() {
  for (const char* f : {"html", "md"})
    benchmark::RegisterBenchmark((std::string("host/report/") + f).c_str(),
                                 [f](benchmark::State& s) { render_format(s, f); })
        ->Unit(benchmark::kMillisecond);
}

} // namespace gpucert::bench
