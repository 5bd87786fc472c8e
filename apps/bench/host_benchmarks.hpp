// Google Benchmarks of host-side hot paths (statistics, the runner's stopping decision), under
// the "host/" prefix: they must stay negligible next to the device work they judge.
#pragma once

namespace gpucert::bench {

void register_host_benchmarks();

} // namespace gpucert::bench
