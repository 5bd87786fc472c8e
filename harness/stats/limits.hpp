// The method's fixed limits, shared by the verdict engine (harness/evaluate/judge.cpp) and the
// profile validator, which refuses a clause the method could never decide within its budget.
#pragma once

namespace gpucert::stats {

/// The fewest samples a mean is judged on: its t interval leans on the central limit theorem.
inline constexpr int kMinMeanSamples = 30;
/// `min` and `max` are tolerance bounds: the value all but this fraction of the population
/// beats (min) or stays under (max), i.e. the 1st and 99th percentiles.
inline constexpr double kToleranceTail = 0.01;
/// Batch statistics: at most kMaxBatches batches of at least kMinBatchSize samples, and at least
/// kMinBatches of them.
inline constexpr int kMaxBatches = 20;
inline constexpr int kMinBatchSize = 5;
inline constexpr int kMinBatches = 4;
/// The largest look a sequential design is computed for (its cost grows with the square).
inline constexpr int kMaxDesignLooks = 2000;

} // namespace gpucert::stats
