// The built-in benchmark catalogue and the builders its family files share.
#pragma once

#include "harness/model/catalog.hpp"

#include <string>

namespace gpucert {

/// Every built-in benchmark, registered once from the family list (families.hpp). Passed to the
/// layers that need it (profile validation, planning, listing); no layer below reaches for it.
const Registry& builtin_registry();

// Metric builders: the harness derives every figure from a sample's seconds and its Work.
/// GB/s = bytes / s / 1e9.
MetricDef gbps_metric(std::string name, std::string description);
/// TFLOP/s = flops / s / 1e12.
MetricDef tflops_metric(std::string name, std::string description);
/// Microseconds per item (launch), lower is better.
MetricDef us_per_item_metric(std::string name, std::string description);

// Axis builders, so each family file reads like its row of the `gpucert list` catalogue.
Axis integer_axis(std::string name, std::string default_value, std::string description);
Axis bytes_axis(std::string name, std::string default_value, std::string description);
Axis choice_axis(std::string name, std::vector<std::string> choices, std::string default_value,
                 std::string description);
Axis boolean_axis(std::string name, std::string default_value, std::string description);
/// The copy-engine / SM-kernel choice shared by pcie.* and p2p.*.
Axis engine_axis();

} // namespace gpucert
