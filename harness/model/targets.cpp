// Targets of a clause's scope over the measured GPUs.
#include "harness/model/targets.hpp"

namespace gpucert {

std::vector<Target> targets_for(Scope scope, const std::vector<int>& gpus) {
  std::vector<Target> out;
  switch (scope) {
  case Scope::gpu:
    for (int g : gpus)
      out.push_back({Scope::gpu, {g}});
    break;
  case Scope::gpu_pair:
    for (std::size_t i = 0; i < gpus.size(); ++i)
      for (std::size_t j = i + 1; j < gpus.size(); ++j)
        out.push_back({Scope::gpu_pair, {gpus[i], gpus[j]}});
    break;
  case Scope::node:
    if (!gpus.empty())
      out.push_back({Scope::node, gpus});
    break;
  }
  return out;
}

} // namespace gpucert
