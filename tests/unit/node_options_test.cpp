// --gpus lists, and the backend --simulate / --fault / --gpus choose (bad input is exit 2
// before any GPU is touched).
#include "harness/cli/commands.hpp"
#include "harness/core/error.hpp"

#include <gtest/gtest.h>

namespace gpucert::cli {
namespace {

std::string error_of(const NodeOptions& opts) {
  try {
    make_backend(opts);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

TEST(GpuList, ParsesIndicesAndRanges) {
  EXPECT_TRUE(parse_gpu_list("").empty());
  EXPECT_EQ(parse_gpu_list("3"), std::vector<int>{3});
  EXPECT_EQ(parse_gpu_list("0,2-3"), (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(parse_gpu_list("5,1,1-2,7-7"), (std::vector<int>{1, 2, 5, 7})); // sorted, unique
}

TEST(GpuList, RejectsWhatIsNotAListNamingIt) {
  for (const char* bad : {",", "0,", ",1", "a", "1-", "-1", "3-1", "0 ,1", "1.5", "0x1", "2--3"}) {
    try {
      parse_gpu_list(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("--gpus ") + bad), std::string::npos)
          << e.what();
    }
  }
}

TEST(MakeBackend, SimulatedNodeWithFaultsAndGpus) {
  NodeOptions opts;
  opts.simulate = "h100-sxm5-80gb-8x";
  opts.faults = {"gpu2:pcie=gen4x8"};
  opts.gpus = "0,2-3";
  const auto backend = make_backend(opts);
  EXPECT_EQ(backend->name(), "sim");
  EXPECT_TRUE(backend->simulated());
  EXPECT_EQ(backend->gpus(), (std::vector<int>{0, 2, 3}));
  const Inventory inv = backend->inventory();
  EXPECT_TRUE(inv.simulated);
  EXPECT_EQ(inv.gpus.size(), 8u); // the inventory is the node's, --gpus picks what to measure
  EXPECT_EQ(inv.gpus[2].pcie_gen_current, 4);
}

TEST(MakeBackend, BadInputIsAnInputError) {
  NodeOptions opts;
  opts.faults = {"gpu0:thermal"};
  EXPECT_NE(error_of(opts).find("--fault gpu0:thermal: faults can only be injected into a "
                                "simulated node"),
            std::string::npos);

  opts = {};
  opts.simulate = "h100-pcie-80gb-1x";
  opts.gpus = "0-1";
  EXPECT_NE(error_of(opts).find("GPU 1 does not exist"), std::string::npos) << error_of(opts);

  opts = {};
  opts.simulate = "h100-pcie-80gb-1x";
  opts.faults = {"gpu0-gpu1:nvlink=0.5"};
  EXPECT_NE(error_of(opts).find("gpu0-gpu1:nvlink=0.5"), std::string::npos);

  opts = {};
  opts.simulate = "dgx-a100";
  EXPECT_NE(error_of(opts).find("no such simulator node"), std::string::npos);

  opts = {};
  opts.gpus = "x"; // checked before any GPU is looked for
  EXPECT_NE(error_of(opts).find("--gpus x"), std::string::npos);
}

} // namespace
} // namespace gpucert::cli
