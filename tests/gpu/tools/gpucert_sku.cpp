// gpucert-sku: a card's entry in the one table of SKUs (the simulator's node files) as JSON, for
// the device check (ci/gpu-check.sh), which has no other way to read the embedded node files.
// Host code: the same lookup and bounds the GPU tier uses (tests/gpu/sku_bounds.hpp).
//   usage: gpucert-sku [--gpu-count N] CARD_NAME
// Exit: 0 the card has an entry; 1 it has none (the JSON says why); 2 usage.
#include "harness/core/error.hpp"
#include "tests/gpu/sku_bounds.hpp"

#include <cstdio>
#include <exception>
#include <fmt/core.h>
#include <string>
#include <string_view>

int main(int argc, char** argv) {
  const auto usage = [] {
    std::fputs("usage: gpucert-sku [--gpu-count N] CARD_NAME   (the name CUDA and NVML give, e.g. "
               "\"NVIDIA H100 80GB HBM3\")\n",
               stderr);
    return 2;
  };
  int gpu_count = 0;
  std::string card;
  bool have_card = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--gpu-count" && i + 1 < argc) {
      try {
        std::size_t used = 0;
        gpu_count = std::stoi(argv[++i], &used);
        if (used != std::string_view(argv[i]).size() || gpu_count < 0)
          return usage();
      } catch (const std::exception&) {
        return usage();
      }
    } else if (a == "-h" || a == "--help" || have_card || a.starts_with("--")) {
      return usage();
    } else {
      card = a;
      have_card = true;
    }
  }
  if (!have_card)
    return usage();
  try {
    const gpucert::gputest::Sku s = gpucert::gputest::sku_for(card, gpu_count);
    const std::string text = gpucert::gputest::sku_json(s).dump(2) + "\n";
    if (std::fputs(text.c_str(), stdout) < 0 || std::fflush(stdout) != 0) {
      std::perror("gpucert-sku: writing stdout");
      return 3;
    }
    return s.node ? 0 : 1;
  } catch (const gpucert::Error& e) {
    fmt::print(stderr, "gpucert-sku: {}\n", e.what());
    return static_cast<int>(e.code());
  }
}
