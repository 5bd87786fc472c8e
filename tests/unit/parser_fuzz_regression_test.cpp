// Inputs fuzzing found that escaped the parsers' InputError contract (crash or endless loop).
// The same inputs are seeds in tests/fuzz/corpus/, replayed by the sanitizer tier.
#include "harness/backends/sim/sim_node.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/core/error.hpp"
#include "harness/profile/profile.hpp"

#include <gtest/gtest.h>

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
