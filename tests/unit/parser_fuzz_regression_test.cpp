// Inputs fuzzing found that escaped the parsers' InputError contract (crash or endless loop).
// The same inputs are seeds in tests/fuzz/corpus/, replayed by the sanitizer tier.
#include "harness/backends/sim/sim_node.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/core/error.hpp"
#include "harness/core/yaml_text_check.hpp"
#include "harness/profile/profile.hpp"

#include <atomic>
#include <gtest/gtest.h>
#include <string>
#include <thread>
#include <vector>

using gpucert::InputError;

TEST(ParserFuzzRegression, DocumentStartingWithCommaIsRefusedNotLooped) {
  // yaml-cpp 0.7 never returns on these; the guard refuses them first.
  for (const char* text :
       {",a\n", "# comment\n,a: {b\n", "  ,a\n", "a: 1\n---\n,b\n", "!,", "&a ,x\n", "!t\n,a\n"}) {
    EXPECT_THROW(gpucert::profile::parse_profile(gpucert::builtin_registry(), text, "p.yaml"),
                 InputError)
        << text;
    EXPECT_THROW(gpucert::sim::parse_node(text, "n.yaml"), InputError) << text;
  }
}

TEST(ParserFuzzRegression, CommaLaterInADocumentIsStillYaml) {
  // Only a document's first token is refused: a comma inside a flow list stays valid YAML.
  EXPECT_THROW(
      {
        try {
          gpucert::profile::parse_profile(gpucert::builtin_registry(),
                                          "schema: gpucert/profile/v1\nx: [a\n  , b]\n", "p.yaml");
        } catch (const InputError& e) {
          EXPECT_EQ(std::string(e.what()).find("cannot start with ','"), std::string::npos)
              << e.what();
          throw;
        }
      },
      InputError);
}

TEST(ParserFuzzRegression, NodeFileKeyThatIsNotANameIsInputError) {
  for (const char* text : {"schema: gpucert/sim-node/v1\n? [a]\n: b\n",
                           "schema: gpucert/sim-node/v1\n? {a: b}\n: c\n", "? \n: c\n"}) {
    try {
      gpucert::sim::parse_node(text, "n.yaml");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("n.yaml:"), std::string::npos) << e.what();
    }
  }
}

namespace {
// yaml-cpp 0.7 loops (allocating) on this; no rule in reject_yaml_cpp_hazards names it.
constexpr const char* kLoops = "'',a";

void expect_refused_as_hang(const char* text) {
  try {
    gpucert::require_yaml_parser_finishes(text, "h.yaml");
    ADD_FAILURE() << "a text the parser loops on was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("h.yaml: the YAML parser did not finish"),
              std::string::npos)
        << e.what();
  }
}
} // namespace

TEST(ParserFuzzRegression, LoopingTextIsRefusedInAChildProcess) {
  expect_refused_as_hang(kLoops);
  // A valid text passes, and passes again (the second time from memory, not a new probe).
  EXPECT_NO_THROW(gpucert::require_yaml_parser_finishes("a: 1\n", "ok.yaml"));
  EXPECT_NO_THROW(gpucert::require_yaml_parser_finishes("a: 1\n", "ok.yaml"));
}

TEST(ParserFuzzRegression, ValidTextPassesAndLoopingTextIsRefusedInAThreadedProcess) {
  // gpucert-simlot read node files from worker threads; a forked child then waited on a lock
  // another thread held and a valid file was refused as a hang. Threaded, the probe must not
  // fork: valid text from many threads at once passes, looping text is still refused.
  std::atomic<bool> stop{false};
  std::atomic<long> sink{0};
  std::thread busy([&] { // allocates all the time, so a fork would often catch its locks held
    while (!stop) {
      std::vector<char> v(4096, 1);
      sink += v[4095];
    }
  });
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t)
    readers.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        try {
          gpucert::require_yaml_parser_finishes("k" + std::to_string(t * 100 + i) + ": [1, 2]\n",
                                                "ok.yaml");
        } catch (const InputError&) {
          ++failures;
        }
      }
    });
  for (auto& r : readers)
    r.join();
  EXPECT_EQ(failures.load(), 0);
  expect_refused_as_hang(kLoops);
  stop = true;
  busy.join();
}
