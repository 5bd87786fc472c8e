// Google Benchmark of the report renderers (host/report/html, host/report/md).
#pragma once

namespace gpucert::bench {

void register_report_benchmarks();

} // namespace gpucert::bench
