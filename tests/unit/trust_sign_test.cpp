// Where a signed run directory keeps its profile chain (harness/trust/sign.hpp): the copy keeps
// the files' places relative to each other, and only names gpucert writes can be subjects (no
// "..", no absolute path, no empty component), so a signed statement cannot make verify read
// outside the run directory.
#include "harness/trust/sign.hpp"

#include <gtest/gtest.h>

namespace gpucert::trust {
namespace {

profile::Profile chain(const std::vector<std::string>& paths) {
  profile::Profile p;
  for (const auto& f : paths)
    p.files.push_back({f, std::string(64, '0')});
  return p;
}

TEST(TrustSign, OnlyNamesGpucertWritesAreSignable) {
  for (const std::string ok :
       {"results.json", "certificate.json", "profile/x.yaml", "profile/tests/data/profiles/x.yaml"})
    EXPECT_TRUE(is_signable_name(ok)) << ok;
  for (const std::string bad :
       {"", "report.md", "/etc/passwd", "profile/", "profile", "profile/../results.json",
        "profile/a/../../x", "profile//x.yaml", "profile/./x.yaml", "profile/a\\b", "../x",
        "profilex/y.yaml", "profile/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s.yaml"})
    EXPECT_FALSE(is_signable_name(bad)) << bad;
}

TEST(TrustSign, TheCopyKeepsTheChainsLayoutUnderProfile) {
  EXPECT_EQ(embedded_names(chain({"/p/site/a.yaml", "/p/site/b.yaml"})),
            (std::vector<std::string>{"profile/a.yaml", "profile/b.yaml"}));
  // extends: ../../shipped/base.yaml resolves inside the copy as it did outside.
  EXPECT_EQ(embedded_names(chain({"/p/t/d/site.yaml", "/p/shipped/base.yaml"})),
            (std::vector<std::string>{"profile/t/d/site.yaml", "profile/shipped/base.yaml"}));
  // A common folder is a whole path component: /p/b is not inside /p/bc.
  EXPECT_EQ(embedded_names(chain({"/p/bc/x.yaml", "/p/b/y.yaml"})),
            (std::vector<std::string>{"profile/bc/x.yaml", "profile/b/y.yaml"}));
  EXPECT_EQ(embedded_names(chain({"/x.yaml", "/q/y.yaml"})),
            (std::vector<std::string>{"profile/x.yaml", "profile/q/y.yaml"}));
  for (const auto& n : embedded_names(chain({"/p/t/d/site.yaml", "/p/shipped/base.yaml"})))
    EXPECT_TRUE(is_signable_name(n)) << n;
}

TEST(TrustSign, NodeIdentityRecordsWhatTheInventoryHasAndNullElsewhere) {
  Inventory inv;
  inv.node.hostname = "n1";
  GpuInfo g;
  g.index = 2;
  g.uuid = "GPU-1";
  inv.gpus.push_back(g);
  const nlohmann::json id = node_identity(inv);
  EXPECT_EQ(id.at("hostname"), "n1");
  EXPECT_TRUE(id.at("board_serial").is_null());
  EXPECT_EQ(id.at("gpus").at(0).at("index"), 2);
  EXPECT_EQ(id.at("gpus").at(0).at("uuid"), "GPU-1");
  EXPECT_TRUE(id.at("gpus").at(0).at("serial").is_null());
}

} // namespace
} // namespace gpucert::trust
