// What a stopping rule answers after each sample: the runner asks, the verdict engine's rule
// answers (harness/evaluate/evaluate.hpp), so measure/ never depends on evaluate/.
#pragma once

namespace gpucert {

enum class Look {
  undecided, ///< keep sampling
  decided,   ///< every clause on the measurement has a verdict that holds at any look: stop
  drifting,  ///< the samples trend: the runner may extend the warm-up (discard them, restart)
  dependent, ///< the samples are dependent: judged on batches at the end, never stopped early
};

} // namespace gpucert
