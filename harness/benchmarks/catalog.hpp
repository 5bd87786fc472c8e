// The built-in benchmark families. Registry::builtin() calls one register_<family> per family
// (catalog.cpp); adding a family is one declaration here, one line there, and its own .cpp.
#pragma once

#include "harness/measure/benchmark.hpp"

#include <string>

namespace gpucert {

void register_gemm(Registry& r);        ///< gemm (cuBLASLt), every dtype
void register_hbm(Registry& r);         ///< hbm.copy/scale/add/triad/read/write
void register_pcie(Registry& r);        ///< pcie.h2d/d2h/bidir
void register_p2p(Registry& r);         ///< p2p.uni/bidir between a GPU pair
void register_launch(Registry& r);      ///< launch.stream/graph
void register_collectives(Registry& r); ///< nccl.<collective> (harness/collectives, engineer E)

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
