// SLA profiles: SHA-256, the shipped profiles, extends, and every malformed or hostile profile in
// tests/data/profiles/bad/ (each must be an InputError naming FILE:LINE:COL, never a crash).
#include "harness/benchmarks/catalog.hpp"
#include "harness/core/error.hpp"
#include "harness/profile/profile.hpp"
#include "harness/profile/sha256.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <regex>
#include <string>

namespace gpucert::profile {
namespace {

namespace fs = std::filesystem;

const std::string kData = std::string(GPUCERT_SOURCE_DIR) + "/tests/data/profiles";

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

// --- SHA-256 against FIPS 180-4 / NIST vectors and block-boundary lengths -------------------

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PaddingBoundaries) {
  // 55/56 bytes: the length still fits / no longer fits in the last block; 64, 119, 120 likewise.
  EXPECT_EQ(sha256_hex(std::string(55, 'a')),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256_hex(std::string(56, 'a')),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(sha256_hex(std::string(63, 'a')),
            "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
  EXPECT_EQ(sha256_hex(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  EXPECT_EQ(sha256_hex(std::string(119, 'a')),
            "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
  EXPECT_EQ(sha256_hex(std::string(120, 'a')),
            "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c");
}

// --- Shipped profiles ------------------------------------------------------------------------

TEST(ShippedProfiles, EveryOneValidates) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(std::string(GPUCERT_SOURCE_DIR) + "/profiles")) {
    if (e.path().extension() != ".yaml")
      continue;
    ++n;
    EXPECT_NO_THROW(load_profile(builtin_registry(), e.path().string())) << e.path();
  }
  EXPECT_GE(n, 4);
}

TEST(ShippedProfiles, NameIsTheFileStem) {
  // `--profile NAME` finds NAME.yaml, and the certificate records `name`: they must agree.
  int n = 0;
  for (const auto& e : fs::directory_iterator(std::string(GPUCERT_SOURCE_DIR) + "/profiles")) {
    if (e.path().extension() != ".yaml")
      continue;
    ++n;
    EXPECT_EQ(load_profile(builtin_registry(), e.path().string()).name, e.path().stem().string())
        << e.path();
  }
  EXPECT_GE(n, 4);
}

TEST(ShippedProfiles, StandardH100HasTheContractedClauses) {
  const Profile p =
      load_profile(builtin_registry(),
                   std::string(GPUCERT_SOURCE_DIR) + "/profiles/h100-sxm5-80gb-8x-standard.yaml");
  EXPECT_EQ(p.name, "h100-sxm5-80gb-8x-standard");
  EXPECT_EQ(p.tier, Tier::standard);
  EXPECT_EQ(p.match.gpu_count, 8);
  EXPECT_EQ(p.match.nvlink_links_per_gpu, 18);
  EXPECT_EQ(p.match.ecc, true);
  std::map<std::string, const Clause*> by_id;
  for (const auto& c : p.clauses)
    by_id[c.id] = &c;
  ASSERT_TRUE(by_id.count("gemm-bf16"));
  const Clause& g = *by_id["gemm-bf16"];
  EXPECT_EQ(g.benchmark, "gemm");
  EXPECT_EQ(g.resolved.at("dtype"), "bf16");
  EXPECT_EQ(g.resolved.at("m"), "8192");
  EXPECT_EQ(g.resolved.at("layout"), "tn"); // default filled in
  EXPECT_EQ(g.each, Scope::gpu);
  EXPECT_EQ(g.min, 720);
  for (const char* id : {"hbm-triad", "hbm-copy", "pcie-h2d", "pcie-d2h", "p2p-uni", "launch-issue",
                         "ecc-uncorrected", "row-remap-pending", "row-remap-failed",
                         "power-limit-default", "no-hw-slowdown", "no-thermal-slowdown"})
    EXPECT_TRUE(by_id.count(id)) << id;
  EXPECT_EQ(by_id["p2p-uni"]->each, Scope::gpu_pair);
  EXPECT_EQ(by_id["hbm-triad"]->resolved.at("bytes"), "1073741824");
  EXPECT_TRUE(by_id["ecc-uncorrected"]->is_health());
  // The file's own SHA-256 is the profile's fingerprint (what `sha256sum` prints).
  std::ifstream in(std::string(GPUCERT_SOURCE_DIR) + "/profiles/h100-sxm5-80gb-8x-standard.yaml",
                   std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(p.sha256, sha256_hex(text.str()));
  ASSERT_EQ(p.files.size(), 1u);
}

TEST(ShippedProfiles, Fp8ClausesUseFastAccumulation) {
  // Every shipped fp8 GEMM clause measures the fast-accumulation mode (how FP8 forward GEMMs
  // run); every other GEMM clause leaves it off.
  int fp8 = 0;
  for (const auto& e : fs::directory_iterator(std::string(GPUCERT_SOURCE_DIR) + "/profiles")) {
    if (e.path().extension() != ".yaml")
      continue;
    for (const auto& c : load_profile(builtin_registry(), e.path().string()).clauses) {
      if (c.benchmark != "gemm")
        continue;
      const bool is_fp8 = c.resolved.at("dtype") == "fp8";
      fp8 += is_fp8;
      EXPECT_EQ(c.resolved.at("fast_accum"), is_fp8 ? "true" : "false") << e.path() << " " << c.id;
    }
  }
  EXPECT_GE(fp8, 2); // the H100 SXM5 and H200 profiles
}

TEST(ShippedProfiles, QuickTierExtendsStandard) {
  const std::string dir = std::string(GPUCERT_SOURCE_DIR) + "/profiles/";
  const Profile std_p = load_profile(builtin_registry(), dir + "h100-sxm5-80gb-8x-standard.yaml");
  const Profile quick = load_profile(builtin_registry(), dir + "h100-sxm5-80gb-8x-quick.yaml");
  EXPECT_EQ(quick.tier, Tier::quick);
  EXPECT_LT(quick.clauses.size(), std_p.clauses.size());
  EXPECT_LT(quick.method.max_seconds_per_clause, std_p.method.max_seconds_per_clause);
  EXPECT_EQ(quick.method.confidence, std_p.method.confidence); // inherited
  EXPECT_EQ(quick.match.gpu_count, 8);                         // inherited
  ASSERT_EQ(quick.files.size(), 2u);
  EXPECT_EQ(quick.files[1].sha256, std_p.sha256);
  EXPECT_EQ(quick.sha256, sha256_hex(quick.files[0].sha256 + "\n" + quick.files[1].sha256 + "\n"));
  for (const auto& c : quick.clauses)
    EXPECT_NE(c.id, "gemm-bf16-sustained");
}

// --- Parsing and extends ---------------------------------------------------------------------

constexpr const char* kMinimal = R"(schema: gpucert/profile/v1
name: minimal
clauses:
  - {id: hbm, metric: hbm.triad.gbps, min: 2800}
  - {id: launch, metric: launch.issue.us, max: 3}
  - {id: name, metric: inventory.gpu_name, equals: "NVIDIA H100 80GB HBM3"}
)";

TEST(ProfileParse, DefaultsFillTheGaps) {
  const Profile p = parse_profile(builtin_registry(), kMinimal, "minimal.yaml");
  EXPECT_EQ(p.tier, Tier::standard);
  EXPECT_DOUBLE_EQ(p.method.confidence, 0.95);
  EXPECT_EQ(p.method.min_samples, 10);
  ASSERT_EQ(p.clauses.size(), 3u);
  EXPECT_EQ(p.clauses[0].stat, "median");
  EXPECT_EQ(p.clauses[0].each, Scope::gpu); // the metric's scope
  EXPECT_EQ(p.clauses[0].resolved.at("bytes"), "1073741824");
  EXPECT_EQ(p.clauses[1].max, 3);
  ASSERT_TRUE(p.clauses[2].equals);
  EXPECT_EQ(p.clauses[2].equals->text, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(p.sha256, sha256_hex(kMinimal));
}

TEST(ProfileParse, ExtendsOverridesByIdRemovesAndAppends) {
  const std::string child = R"(schema: gpucert/profile/v1
name: child
extends: base.yaml
tier: quick
match: {nvlink_links_per_gpu: 12}
method: {max_seconds_per_clause: 5}
remove_clauses: [ecc]
clauses:
  - {id: gemm-bf16, min: 700, params: {m: 4096}}
  - {id: launch, metric: launch.issue.us, max: 3}
)";
  const Profile p =
      parse_profile(builtin_registry(), child, kData + "/good/child.yaml", kData + "/good");
  EXPECT_EQ(p.name, "child");
  EXPECT_EQ(p.tier, Tier::quick);
  EXPECT_EQ(p.match.nvlink_links_per_gpu, 12); // overridden: a SKU variant with fewer links
  EXPECT_EQ(p.match.gpu_count, 8);             // inherited
  EXPECT_DOUBLE_EQ(p.method.max_seconds_per_clause, 5);
  EXPECT_EQ(p.method.max_samples, 100);
  ASSERT_EQ(p.clauses.size(), 3u);
  EXPECT_EQ(p.clauses[0].id, "gemm-bf16");
  EXPECT_EQ(p.clauses[0].min, 700);
  EXPECT_EQ(p.clauses[0].resolved.at("m"), "4096"); // merged per parameter
  EXPECT_EQ(p.clauses[0].resolved.at("n"), "8192"); // kept from the base
  EXPECT_EQ(p.clauses[0].resolved.at("dtype"), "bf16");
  EXPECT_EQ(p.clauses[1].id, "hbm-triad");
  EXPECT_EQ(p.clauses[2].id, "launch");
  ASSERT_EQ(p.files.size(), 2u);
}

TEST(ProfileParse, NullInAnOverrideRemovesAKey) {
  const std::string child = R"(schema: gpucert/profile/v1
name: child
extends: base.yaml
match: {nvlink_links_per_gpu: null}
clauses:
  - {id: hbm-triad, min: null, max: 9000}
)";
  const Profile p =
      parse_profile(builtin_registry(), child, kData + "/good/child.yaml", kData + "/good");
  EXPECT_FALSE(p.match.nvlink_links_per_gpu);
  const Clause& hbm = p.clauses[1];
  EXPECT_FALSE(hbm.min);
  EXPECT_EQ(hbm.max, 9000);
}

TEST(ProfileParse, ErrorsInAnOverrideNameTheChildFile) {
  const std::string child =
      "schema: gpucert/profile/v1\nname: child\nextends: base.yaml\nclauses:\n"
      "  - {id: gemm-bf16, stat: average}\n";
  const std::string msg =
      message_of([&] { parse_profile(builtin_registry(), child, "child.yaml", kData + "/good"); });
  EXPECT_NE(msg.find("child.yaml:5:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("key 'stat'"), std::string::npos) << msg;
}

// --- Malformed and hostile profiles ---------------------------------------------------------

std::vector<std::string> bad_profiles() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kData + "/bad"))
    if (e.path().extension() == ".yaml")
      out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

class BadProfile : public ::testing::TestWithParam<std::string> {};

TEST_P(BadProfile, IsAnInputErrorWithFileLineAndColumn) {
  const std::string path = kData + "/bad/" + GetParam();
  std::string expect;
  {
    std::ifstream in(path, std::ios::binary);
    std::string first;
    std::getline(in, first);
    if (first.rfind("# expect: ", 0) == 0)
      expect = first.substr(10);
  }
  std::string msg;
  try {
    load_profile(builtin_registry(), path,
                 {kData}); // 29 extends ../good/base.yaml: allowed explicitly
    FAIL() << path << " was accepted";
  } catch (const InputError& e) {
    msg = e.what();
  } catch (const std::exception& e) {
    FAIL() << path << ": not an InputError: " << e.what();
  }
  const std::regex located(R"(^([^:]+\.yaml):([0-9]+):([0-9]+): )");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(msg, m, located)) << msg;
  EXPECT_GE(std::stoi(m[2]), 1) << msg;
  EXPECT_GE(std::stoi(m[3]), 1) << msg;
  if (!expect.empty())
    EXPECT_NE(msg.find(expect), std::string::npos) << "expected '" << expect << "' in: " << msg;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadProfile, ::testing::ValuesIn(bad_profiles()),
                         [](const auto& info) {
                           std::string n = info.param.substr(0, info.param.size() - 5);
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c)))
                               c = '_';
                           return n;
                         });

TEST(BadProfileCorpus, HasAtLeastTwentyFive) {
  EXPECT_GE(bad_profiles().size(), 25u);
}

TEST(HostileProfile, HugeFileIsRejectedBeforeParsing) {
  const fs::path p = fs::temp_directory_path() / "gpucert-huge-profile.yaml";
  {
    std::ofstream out(p, std::ios::binary);
    out << "schema: gpucert/profile/v1\nname: huge\ndescription: \"";
    out << std::string(2 << 20, 'x') << "\"\n";
  }
  const std::string msg = message_of([&] { load_profile(builtin_registry(), p.string()); });
  fs::remove(p);
  EXPECT_NE(msg.find(".yaml: file is"), std::string::npos) << msg;
  EXPECT_NE(msg.find("at most 1048576 bytes"), std::string::npos) << msg;
}

TEST(HostileProfile, NotARegularFile) {
  EXPECT_NE(
      message_of([] { load_profile(builtin_registry(), "/dev/zero"); }).find("not a regular file"),
      std::string::npos);
  EXPECT_NE(message_of([] { load_profile(builtin_registry(), kData); }).find("not a regular file"),
            std::string::npos);
  EXPECT_NE(message_of([] {
              load_profile(builtin_registry(), kData + "/nope.yaml");
            }).find("no such file"),
            std::string::npos);
}

TEST(HostileProfile, ExtendsChainDeeperThanTheLimit) {
  const fs::path dir = fs::temp_directory_path() / "gpucert-extends-chain";
  fs::create_directories(dir);
  for (int i = 0; i <= kMaxExtendsDepth + 1; ++i) {
    std::ofstream out(dir / ("p" + std::to_string(i) + ".yaml"));
    out << "schema: gpucert/profile/v1\nname: p" << i << "\n";
    if (i <= kMaxExtendsDepth)
      out << "extends: p" << i + 1 << ".yaml\n";
    else
      out << "clauses:\n  - {id: x, metric: gemm.tflops, min: 1}\n";
  }
  const std::string msg =
      message_of([&] { load_profile(builtin_registry(), (dir / "p0.yaml").string()); });
  fs::remove_all(dir);
  EXPECT_NE(msg.find("levels of extends"), std::string::npos) << msg;
}

TEST(HostileProfile, ManyGeneratedVariantsNeverCrash) {
  // Truncate a valid profile at every byte: each prefix either loads or is an InputError.
  const std::string good = kMinimal;
  for (std::size_t n = 0; n < good.size(); ++n) {
    try {
      parse_profile(builtin_registry(), good.substr(0, n), "prefix.yaml");
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("prefix.yaml:"), std::string::npos) << e.what();
    }
  }
}

} // namespace
} // namespace gpucert::profile
