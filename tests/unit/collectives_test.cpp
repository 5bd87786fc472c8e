// Collectives: nccl-tests' algbw/busbw for every collective at n = 1, 2, 8, 16 against
// hand-computed figures, buffer layouts, sweeps, the exact patterns against a formula-free
// reference, the checker catching a corrupted element, NCCL provenance, and the simulator model end
// to end.
#include "harness/backends/sim/faults.hpp"
#include "harness/backends/sim/models/collective_figures.hpp"
#include "harness/backends/sim/models/models.hpp"
#include "harness/backends/sim/sim_backend.hpp"
#include "harness/backends/sim/sim_node.hpp"
#include "harness/benchmarks/catalog.hpp"
#include "harness/collectives/check.hpp"
#include "harness/collectives/collective.hpp"
#include "harness/collectives/collective_plan.hpp"
#include "harness/collectives/nccl_env.hpp"
#include "harness/collectives/sweep.hpp"
#include "harness/core/error.hpp"
#include "harness/measure/runner.hpp"
#include "harness/stats/interval.hpp"
#include "kernels/collective_patterns.hpp"

#include <algorithm>
#include <fmt/core.h>
#include <gtest/gtest.h>
#if defined(GPUCERT_HAVE_NCCL)
#include "harness/backends/cuda/cuda_backend.hpp"
#include "harness/backends/cuda/nccl_clique.hpp"
#include "harness/backends/cuda/nccl_collective.hpp"

#include <nccl.h>
#endif
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace gpucert::coll {
namespace {

// --- bandwidth definitions ---------------------------------------------------------------------

// 1e9 bytes in 10 ms: algbw 100 GB/s for every collective; busbw by hand:
//   all_reduce 2(n-1)/n:  n=1: 0, n=2: 100, n=8: 175, n=16: 187.5
//   (n-1)/n:              n=1: 0, n=2: 50,  n=8: 87.5, n=16: 93.75
//   1:                    100 everywhere
TEST(Collectives, BusbwAndAlgbwForEveryCollectiveAtOneTwoEightSixteenRanks) {
  const std::map<std::string, std::vector<double>> busbw = {
      {"all_reduce", {0, 100, 175, 187.5}},     {"all_gather", {0, 50, 87.5, 93.75}},
      {"reduce_scatter", {0, 50, 87.5, 93.75}}, {"alltoall", {0, 50, 87.5, 93.75}},
      {"broadcast", {100, 100, 100, 100}},      {"reduce", {100, 100, 100, 100}},
      {"sendrecv", {100, 100, 100, 100}}};
  const int ranks[] = {1, 2, 8, 16};
  ASSERT_EQ(collectives().size(), busbw.size());
  for (const Collective& c : collectives()) {
    const auto& want = busbw.at(std::string(c.name));
    for (int i = 0; i < 4; ++i) {
      EXPECT_DOUBLE_EQ(algbw_gbps(1e9, 0.01), 100.0);
      EXPECT_DOUBLE_EQ(busbw_gbps(c, ranks[i], 1e9, 0.01), want[i]) << c.name << " n=" << ranks[i];
    }
  }
}

TEST(Collectives, RegistryMetricsDeriveBusbwFromWorkRanks) {
  for (const Collective& c : collectives()) {
    const std::string name = "nccl." + std::string(c.name);
    const BenchmarkDef* d = builtin_registry().find(name);
    ASSERT_NE(d, nullptr) << name;
    EXPECT_EQ(d->scope, Scope::node);
    std::vector<std::string> axes;
    for (const auto& a : d->axes)
      axes.push_back(a.name);
    EXPECT_EQ(axes, (std::vector<std::string>{"bytes", "dtype", "inplace", "iters", "graph"}));
    const MetricDef* bus = builtin_registry().metric(name + ".busbw_gbps");
    const MetricDef* alg = builtin_registry().metric(name + ".algbw_gbps");
    ASSERT_NE(bus, nullptr);
    ASSERT_NE(alg, nullptr);
    EXPECT_EQ(bus->unit, "GB/s");
    Work w;
    w.bytes = 20e9; // 20 iterations of 1e9 bytes in 0.2 s
    w.items = 20;
    w.ranks = 8;
    EXPECT_DOUBLE_EQ(alg->derive(0.2, w), 100.0);
    EXPECT_DOUBLE_EQ(bus->derive(0.2, w), 100.0 * c.busbw_factor(8));
    w.ranks = 0;
    EXPECT_THROW(bus->derive(0.2, w), InternalError) << "busbw without ranks must not guess";
    EXPECT_NE(sim::builtin_models().instances.find(name), nullptr) << name;
#if defined(GPUCERT_HAVE_NCCL)
    EXPECT_NE(cuda::builtin_instances().find(name), nullptr) << name;
#endif
  }
}

// nccl-tests XxxGetCollByteCount, by hand, for count = 1001 floats and 8 ranks: the split
// collectives take 1001 / 8 = 125 floats per rank, rounded down to 16 bytes: 124.
TEST(Collectives, LayoutsFollowNcclTests) {
  struct Want {
    CollKind kind;
    std::uint64_t send, recv, param, send_off, recv_off;
  };
  const Want want[] = {
      {CollKind::all_reduce, 1001, 1001, 1001, 0, 0},
      {CollKind::broadcast, 1001, 1001, 1001, 0, 0},
      {CollKind::reduce, 1001, 1001, 1001, 0, 0},
      {CollKind::sendrecv, 1001, 1001, 1001, 0, 0},
      {CollKind::all_gather, 124, 992, 124, 124, 0},
      {CollKind::reduce_scatter, 992, 124, 124, 0, 124},
      {CollKind::alltoall, 992, 992, 124, 0, 0},
  };
  for (const auto& w : want) {
    const Layout l = layout_of(w.kind, 1001, 8, DType::f32);
    EXPECT_EQ(l.send_count, w.send) << static_cast<int>(w.kind);
    EXPECT_EQ(l.recv_count, w.recv) << static_cast<int>(w.kind);
    EXPECT_EQ(l.param_count, w.param) << static_cast<int>(w.kind);
    EXPECT_EQ(l.send_inplace_offset, w.send_off) << static_cast<int>(w.kind);
    EXPECT_EQ(l.recv_inplace_offset, w.recv_off) << static_cast<int>(w.kind);
  }
  // nccl-tests "size" (what algbw divides): all_gather counts the gathered 992 floats.
  EXPECT_EQ(layout_bytes(layout_of(CollKind::all_gather, 1001, 8, DType::f32), DType::f32), 3968u);
  EXPECT_EQ(layout_bytes(layout_of(CollKind::all_reduce, 1001, 8, DType::f16), DType::f16), 2002u);
  // int8: 1001 / 8 = 125 bytes per rank, rounded down to 112; half: 62 -> 56 elements.
  EXPECT_EQ(layout_of(CollKind::all_gather, 1001, 8, DType::i8).param_count, 112u);
  EXPECT_EQ(layout_of(CollKind::alltoall, 500, 8, DType::f16).param_count, 56u);
}

// nccl-tests' formula, transcribed from src/{all_gather,reduce_scatter,alltoall}.cu
// (XxxGetCollByteCount) and src/common.cu (setupArgs: count = size / wordSize), kept apart from
// layout_of so the two are compared, not the same code run twice.
struct NcclTestsCounts {
  std::size_t send, recv, param, send_inplace_offset, recv_inplace_offset;
};
NcclTestsCounts nccl_tests_counts(const std::string& coll, std::size_t size, std::size_t eltSize,
                                  std::size_t nranks) {
  const std::size_t count = size / eltSize;
  NcclTestsCounts c{};
  if (coll == "all_gather") {
    const std::size_t base = (count / nranks) & ~(16 / eltSize - 1);
    c = {base, base * nranks, base, base, 0};
  } else if (coll == "reduce_scatter") {
    const std::size_t base = (count / nranks) & ~(16 / eltSize - 1);
    c = {base * nranks, base, base, 0, base};
  } else if (coll == "alltoall") {
    const std::size_t param = (count / nranks) & ~(16 / eltSize - 1);
    c = {nranks * param, nranks * param, param, 0, 0};
  } else {
    c = {count, count, count, 0, 0};
  }
  return c;
}

TEST(Collectives, PlanSizesMatchNcclTestsForNonPowerOfTwoSizesAndRankCounts) {
  const std::vector<std::uint64_t> sizes = {
      17,       1000,     1001,      4097,     65535,
      100000,   1000003,  123456789, 3u << 20, (1u << 20) + 12,
      7u << 16, 1u << 30, 1073741823};
  int compared = 0;
  for (const Collective& c : collectives()) {
    for (const char* dtype : {"float", "half", "bfloat16", "int8"}) {
      const DType t = dtype_from_name(dtype);
      const std::size_t es = static_cast<std::size_t>(dtype_size(t));
      for (int n : {1, 2, 3, 5, 6, 7, 8, 12, 16, 24}) {
        for (std::uint64_t bytes : sizes) {
          SCOPED_TRACE(fmt::format("{} {} n={} bytes={}", c.name, dtype, n, bytes));
          const auto want = nccl_tests_counts(std::string(c.name), bytes, es, n);
          const auto p = plan_collective(
              c,
              Registry::resolve(*builtin_registry().find("nccl." + std::string(c.name)),
                                {{"bytes", std::to_string(bytes)}, {"dtype", dtype}}),
              n);
          ASSERT_EQ(p.layout.param_count, want.param);
          ASSERT_EQ(p.layout.send_count, want.send);
          ASSERT_EQ(p.layout.recv_count, want.recv);
          ASSERT_EQ(p.layout.send_inplace_offset, want.send_inplace_offset);
          ASSERT_EQ(p.layout.recv_inplace_offset, want.recv_inplace_offset);
          // nccl-tests' "size" column: max(sendBytes, expectedBytes).
          ASSERT_EQ(p.size_bytes, std::max(want.send, want.recv) * es);
          // In place, every rank's pointer (base + offset * rank elements) is 16-byte aligned.
          for (int r = 0; r < n; ++r) {
            ASSERT_EQ(p.layout.send_inplace_offset * r * es % 16, 0u) << "rank " << r;
            ASSERT_EQ(p.layout.recv_inplace_offset * r * es % 16, 0u) << "rank " << r;
          }
          if (want.param == 0)
            ASSERT_FALSE(p.skip.empty());
          ++compared;
        }
      }
    }
  }
  EXPECT_EQ(compared, 7 * 4 * 10 * 13);
  // 48 bytes of float over 7 ranks: 12 / 7 = 1 float each, less than 16 bytes: nothing to run,
  // and the reason says why; all_reduce needs only one element.
  const BenchmarkDef& def = *builtin_registry().find("nccl.reduce_scatter");
  const auto tiny = plan_collective(collective_by_name("reduce_scatter"),
                                    Registry::resolve(def, {{"bytes", "48"}}), 7);
  EXPECT_NE(tiny.skip.find("less than 16 bytes per rank for 7 ranks"), std::string::npos)
      << tiny.skip;
  EXPECT_NE(
      plan_collective(collective_by_name("all_reduce"), Registry::resolve(def, {{"bytes", "2"}}), 7)
          .skip.find("less than one element"),
      std::string::npos);
}

/// Resolved parameters, as the runner hands them to an instance (bytes in canonical whole bytes).
Params params(const std::string& bytes, const std::string& dtype = "float",
              const std::string& inplace = "false") {
  return Registry::resolve(*builtin_registry().find("nccl.all_reduce"),
                           {{"bytes", bytes}, {"dtype", dtype}, {"inplace", inplace}});
}

TEST(Collectives, PlanCountsBytesItersAndRanksAndSaysWhyItCannotRun) {
  const auto p = plan_collective(collective_by_name("all_gather"), params("1000", "float"), 3);
  EXPECT_EQ(p.layout.param_count, 80u); // 250 floats / 3 ranks = 83, down to 16 bytes: 80
  EXPECT_EQ(p.size_bytes, 80u * 3 * 4);
  const Work w = collective_work(p);
  EXPECT_EQ(w.bytes, 80.0 * 3 * 4 * 20);
  EXPECT_EQ(w.items, 20);
  EXPECT_EQ(w.ranks, 3);
  EXPECT_TRUE(p.skip.empty());
  EXPECT_EQ(device_bytes_per_rank(p), (80u + 240u) * 4);

  EXPECT_NE(plan_collective(collective_by_name("all_gather"), params("4"), 8)
                .skip.find("less than 16 bytes per rank"),
            std::string::npos);
  EXPECT_NE(plan_collective(collective_by_name("alltoall"), params("1MiB", "float", "true"), 8)
                .skip.find("in-place"),
            std::string::npos);
  EXPECT_TRUE(plan_collective(collective_by_name("all_reduce"), params("1MiB", "float", "true"), 8)
                  .skip.empty());
  const auto one =
      plan_evidence(plan_collective(collective_by_name("all_reduce"), params("1MiB"), 1));
  EXPECT_EQ(one.at("busbw_factor"), 0.0);
  EXPECT_NE(one.at("note").get<std::string>().find("one rank"), std::string::npos);
  EXPECT_THROW(collective_by_name("allreduce"), InputError);
  EXPECT_THROW(dtype_from_name("fp8"), InputError);
}

// --- sweeps
// ---------------------------------------------------------------------------------------

TEST(Collectives, SweepsExpandLikeNcclTests) {
  EXPECT_EQ(parse_sweep("8:64:2"), (std::vector<std::uint64_t>{8, 16, 32, 64}));
  EXPECT_EQ(parse_sweep("8:100:4"), (std::vector<std::uint64_t>{8, 32}));
  EXPECT_EQ(parse_sweep("1GiB"), (std::vector<std::uint64_t>{1ull << 30}));
  EXPECT_EQ(parse_sweep("1MiB, 8:32:2 ,16"), (std::vector<std::uint64_t>{8, 16, 32, 1u << 20}));
  const auto big = parse_sweep("8:8GiB:2");
  EXPECT_EQ(big.size(), 31u);
  EXPECT_EQ(big.front(), 8u);
  EXPECT_EQ(big.back(), 8ull << 30);
  EXPECT_EQ(parse_sweep("1KiB:1KiB:2"), (std::vector<std::uint64_t>{1024}));
  EXPECT_EQ(format_bytes(8ull << 30), "8 GiB");
  EXPECT_EQ(format_bytes(1000), "1000 B");
}

TEST(Collectives, BadSweepsAreInputErrorsNamingTheProblem) {
  const std::pair<const char*, const char*> bad[] = {
      {"", "empty"},
      {"8:4:2", "above MAX"},
      {"8:64:1", "FACTOR"},
      {"8:64:x", "FACTOR"},
      {"8:64:1.5", "FACTOR"},
      {"8:64", "MIN:MAX:FACTOR"},
      {"8:64:2:2", "MIN:MAX:FACTOR"},
      {"abc", "not a byte size"},
      {"0:8:2", "below 1 byte"},
      {"1.5", "whole number"},
      {"8:64qB:2", "unknown size unit"},
      {"1,,2", "empty size"},
  };
  for (const auto& [text, why] : bad) {
    try {
      parse_sweep(text);
      ADD_FAILURE() << "'" << text << "' parsed";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << text << ": " << e.what();
      EXPECT_EQ(e.code(), ExitCode::bad_input);
    }
  }
  std::string many;
  for (int i = 1; i <= 300; ++i)
    many += (i > 1 ? "," : "") + std::to_string(i);
  EXPECT_THROW(parse_sweep(many), InputError);
}

// --- exact patterns -----------------------------------------------------------------------------

TEST(Collectives, EncodingsAreExactForEveryPatternValue) {
  for (DType t : {DType::f16, DType::bf16, DType::i8}) {
    for (std::int64_t v = 0; v <= dtype_exact_limit(t); ++v)
      ASSERT_EQ(decode_bits(t, encode_bits(t, v)), static_cast<double>(v))
          << dtype_name(t) << " " << v;
  }
  for (std::int64_t v : {0LL, 1LL, 12345LL, (1LL << 24) - 1, 1LL << 24})
    EXPECT_EQ(decode_bits(DType::f32, encode_bits(DType::f32, v)), static_cast<double>(v));
  EXPECT_EQ(encode_bits(DType::f16, 1), 0x3C00u); // IEEE half 1.0
  EXPECT_EQ(encode_bits(DType::f16, 2048), 0x6800u);
  EXPECT_EQ(encode_bits(DType::bf16, 1), 0x3F80u); // bfloat16 1.0
  EXPECT_EQ(decode_bits(DType::f16, 0x7C00u), std::numeric_limits<double>::infinity());
}

// The expected-value formulas (also run by the GPU check kernel) against the reference semantics
// of each collective computed from the inputs, for every collective, type and several n — also
// with more ranks than the type has exact integers (int8 at 200, bfloat16 at 300).
TEST(Collectives, ExpectedValuesMatchTheReferenceSemanticsExactly) {
  for (const Collective& c : collectives()) {
    for (DType t : {DType::f32, DType::f16, DType::bf16, DType::i8}) {
      std::vector<int> ns = {1, 2, 3, 8, 16};
      if (t == DType::i8)
        ns.push_back(200);
      if (t == DType::bf16)
        ns.push_back(300);
      for (int n : ns) {
        Pattern p;
        p.kind = c.kind;
        p.dtype = t;
        p.nranks = n;
        // Split collectives take whole 16-byte blocks per rank: 48 and 16 are whole for every
        // type; the others take any count (37).
        const bool split = c.kind == CollKind::all_gather || c.kind == CollKind::reduce_scatter ||
                           c.kind == CollKind::alltoall;
        p.param_count = split ? (n > 16 ? 16 : 48) : (n > 16 ? 5 : 37);
        const Layout l = layout_of(c.kind, p.param_count * (split ? n : 1), n, t);
        ASSERT_EQ(l.param_count, p.param_count);
        std::vector<std::vector<std::int64_t>> in(n);
        for (int r = 0; r < n; ++r)
          for (std::uint64_t j = 0; j < l.send_count; ++j) {
            const std::int64_t v = input_value(p, r, j);
            ASSERT_GE(v, 0);
            ASSERT_LE(v, dtype_exact_limit(t));
            in[r].push_back(v);
          }
        const auto out = reference_collective(p, in);
        for (int r = 0; r < n; ++r) {
          ASSERT_EQ(out[r].size(), check_count(p, r)) << c.name << " n=" << n << " r=" << r;
          for (std::uint64_t k = 0; k < out[r].size(); ++k) {
            ASSERT_EQ(expected_value(p, r, k), out[r][k])
                << c.name << " " << dtype_name(t) << " n=" << n << " rank " << r << " k=" << k;
            ASSERT_LE(out[r][k], dtype_exact_limit(t)) << "sum must stay exact";
          }
          // And the checker accepts the reference output bit for bit.
          const auto raw = encode_buffer(t, out[r]);
          ASSERT_TRUE(check_output(p, r, raw.data(), out[r].size()).ok()) << c.name;
        }
      }
    }
  }
}

TEST(Collectives, RanksContributeDifferentValues) {
  // A rank whose data went missing must show: inputs differ across ranks for most elements.
  Pattern p;
  p.kind = CollKind::all_reduce;
  p.dtype = DType::i8;
  p.nranks = 8;
  int differ = 0;
  for (std::uint64_t i = 0; i < 1000; ++i)
    differ += input_value(p, 0, i) != input_value(p, 1, i);
  EXPECT_GT(differ, 900);
  p.kind = CollKind::all_gather;
  differ = 0;
  for (std::uint64_t i = 0; i < 1000; ++i)
    differ += input_value(p, 0, i) != input_value(p, 1, i);
  EXPECT_GT(differ, 950);
}

TEST(Collectives, FillWritesThePatternOnTheHost) {
  Pattern p;
  p.kind = CollKind::reduce_scatter;
  p.dtype = DType::bf16;
  p.nranks = 4;
  p.param_count = 16;
  std::vector<std::uint16_t> buf(64);
  fill_input(p, 2, buf.data(), buf.size());
  for (std::uint64_t j = 0; j < buf.size(); ++j)
    EXPECT_EQ(decode_bits(DType::bf16, buf[j]), static_cast<double>(input_value(p, 2, j)));
}

TEST(Collectives, CheckerCatchesACorruptedElementWithRankOffsetValueAndExpected) {
  for (DType t : {DType::f32, DType::f16, DType::bf16, DType::i8}) {
    Pattern p;
    p.kind = CollKind::all_reduce;
    p.dtype = t;
    p.nranks = 8;
    p.param_count = 4096;
    std::vector<std::int64_t> want;
    for (std::uint64_t k = 0; k < p.param_count; ++k)
      want.push_back(expected_value(p, 3, k));
    auto raw = encode_buffer(t, want);
    ASSERT_TRUE(check_output(p, 3, raw.data(), p.param_count).ok());

    const std::uint64_t bad = 1234;
    const std::int64_t wrong_value = want[bad] == 5 ? 6 : 5;
    store_bits(t, raw.data(), bad, encode_bits(t, wrong_value));
    store_bits(t, raw.data(), 3000, encode_bits(t, want[3000] == 1 ? 2 : 1));
    const Mismatch m = check_output(p, 3, raw.data(), p.param_count);
    EXPECT_EQ(m.count, 2u) << dtype_name(t);
    EXPECT_EQ(m.checked, 4096u);
    EXPECT_EQ(m.first_offset, bad);
    EXPECT_EQ(m.value, static_cast<double>(wrong_value));
    EXPECT_EQ(m.expected, static_cast<double>(want[bad]));
    const std::string text = describe(p, 3, "rank 3 (gpu 3 on node-17)", m);
    EXPECT_NE(text.find("rank 3 (gpu 3 on node-17)"), std::string::npos) << text;
    EXPECT_NE(text.find("2 of 4096 elements wrong"), std::string::npos) << text;
    EXPECT_NE(text.find("offset 1234"), std::string::npos) << text;
    EXPECT_NE(text.find(fmt::format("got {}, expected {}", wrong_value, want[bad])),
              std::string::npos)
        << text;

    // The GPU kernel reports count + lowest offset + the bits there: the same report results.
    const Mismatch d = mismatch_from_counts(p, 3, 4096, 2, bad, load_bits(t, raw.data(), bad));
    EXPECT_EQ(describe(p, 3, "x", d), describe(p, 3, "x", m));
  }
  // A flipped low bit in a float sum (silent data corruption) is caught, not rounded away.
  Pattern p;
  p.kind = CollKind::alltoall;
  p.dtype = DType::f32;
  p.nranks = 4;
  p.param_count = 8;
  std::vector<std::int64_t> want;
  for (std::uint64_t k = 0; k < 32; ++k)
    want.push_back(expected_value(p, 1, k));
  auto raw = encode_buffer(DType::f32, want);
  store_bits(DType::f32, raw.data(), 17, load_bits(DType::f32, raw.data(), 17) ^ 1u);
  EXPECT_EQ(check_output(p, 1, raw.data(), 32).first_offset, 17u);
}

// --- provenance ---------------------------------------------------------------------------------

TEST(Collectives, NcclEnvironmentIsRecordedAndForcedTuningFlagged) {
  std::string a = "NCCL_ALGO=Ring", b = "NCCL_DEBUG=INFO", c = "PATH=/usr/bin",
              d = "NCCL_PROTO=LL128", e = "NCCL_MIN_NCHANNELS=32";
  char* envp[] = {a.data(), b.data(), c.data(), d.data(), e.data(), nullptr};
  const NcclEnvironment env = read_nccl_environment(envp);
  EXPECT_EQ(env.variables.size(), 4u);
  EXPECT_EQ(env.variables.at("NCCL_DEBUG"), "INFO");
  EXPECT_EQ(env.forced, (std::vector<std::string>{"NCCL_ALGO=Ring", "NCCL_MIN_NCHANNELS=32",
                                                  "NCCL_PROTO=LL128"}));
  const auto j = nccl_provenance(env, std::nullopt);
  EXPECT_EQ(j.at("env").at("NCCL_ALGO"), "Ring");
  EXPECT_EQ(j.at("forced").size(), 3u);
  EXPECT_EQ(j.at("used"), false);
  EXPECT_TRUE(j.contains("version"));
  EXPECT_EQ(nccl_version_string(22809), "2.28.9");
  EXPECT_EQ(nccl_version_string(2804), "2.8.4");
#if defined(GPUCERT_HAVE_NCCL)
  const coll::NcclLibrary lib = cuda::nccl_library();
  ASSERT_TRUE(lib.version.has_value()); // the library answers without a GPU
  const auto used = nccl_provenance(env, lib);
  EXPECT_EQ(used.at("built_against"), nccl_version_string(NCCL_VERSION_CODE));
  EXPECT_EQ(used.at("used"), true);
#endif
}

// --- timed communicators are blocking ------------------------------------------------------------

// NCCL >= 2.23 launches a nonblocking communicator's group from a new thread and returns
// ncclInProgress; timed through that, busbw at 1 MiB read several times too low. The timed
// communicators are blocking, and an environment that would override that is refused.
TEST(Collectives, NcclCommBlockingZeroIsRefusedOtherValuesAreNot) {
  const auto env = [](const char* value) {
    NcclEnvironment e;
    if (value != nullptr)
      e.variables["NCCL_COMM_BLOCKING"] = value;
    return e;
  };
  EXPECT_EQ(comm_blocking_problem(env(nullptr)), "");
  EXPECT_EQ(comm_blocking_problem(env("")), "") << "NCCL ignores an empty value";
  EXPECT_EQ(comm_blocking_problem(env("1")), "");
  EXPECT_EQ(comm_blocking_problem(env("0x1")), "") << "NCCL reads it with strtoll(.., 0)";
  for (const char* zero : {"0", "00", "0x0", "abc", " 0"}) {
    const std::string why = comm_blocking_problem(env(zero));
    EXPECT_NE(why.find(std::string("NCCL_COMM_BLOCKING=") + zero), std::string::npos) << why;
    EXPECT_NE(why.find("nonblocking"), std::string::npos) << why;
  }
}

#if defined(GPUCERT_HAVE_NCCL)
TEST(Collectives, TimedCommunicatorConfigIsBlockingAndInitIsNot) {
  EXPECT_EQ(cuda::comm_config(cuda::CommRole::timed).blocking, 1);
  EXPECT_EQ(cuda::comm_config(cuda::CommRole::init).blocking, 0);
  // Nothing else is set: NCCL's own tuning applies to both.
  const ncclConfig_t plain = NCCL_CONFIG_INITIALIZER;
  for (auto role : {cuda::CommRole::init, cuda::CommRole::timed}) {
    const ncclConfig_t c = cuda::comm_config(role);
    EXPECT_EQ(c.size, plain.size);
    EXPECT_EQ(c.magic, plain.magic);
    EXPECT_EQ(c.cgaClusterSize, plain.cgaClusterSize);
    EXPECT_EQ(c.minCTAs, plain.minCTAs);
    EXPECT_EQ(c.maxCTAs, plain.maxCTAs);
    EXPECT_EQ(c.splitShare, plain.splitShare);
  }
}

TEST(Collectives, CliqueIsRefusedBeforeAnyNcclCallWhenNcclCommBlockingIsZero) {
  // Refused before CUDA or NCCL is touched, so this runs without a GPU.
  setenv("NCCL_COMM_BLOCKING", "0", 1);
  try {
    (void)cuda::make_local_clique({0}, 1);
    ADD_FAILURE() << "a clique was made with NCCL_COMM_BLOCKING=0";
  } catch (const EnvironmentError& e) {
    EXPECT_NE(std::string(e.what()).find("NCCL_COMM_BLOCKING=0"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)cuda::make_rank_clique({}, 2, 0, 0, 1), EnvironmentError);
  unsetenv("NCCL_COMM_BLOCKING");
}
#endif

// --- simulator ----------------------------------------------------------------------------------

SamplingPolicy quick() {
  SamplingPolicy p;
  p.min_samples = 10;
  p.max_samples = 30;
  p.max_seconds = 60;
  p.warmup_min = 2;
  p.warmup_seconds = 0.01;
  return p;
}

Measurement run_sim(const std::string& node, const std::vector<std::string>& fault_tokens,
                    const std::string& bench, const Params& given, std::vector<int> gpus = {}) {
  sim::SimNode n = sim::load_builtin_node(node);
  sim::FaultSet f(sim::parse_faults(fault_tokens, n.gpu_count));
  sim::SimBackend b(n, f);
  if (gpus.empty())
    gpus = b.gpus();
  return measure(b, *builtin_registry().find(bench), given, Target{Scope::node, gpus}, quick());
}

TEST(Collectives, SimulatedEightGpuAllReduceBusOverAlgIs175AndAllGather0875) {
  const Measurement ar = run_sim("h100-sxm5-80gb-8x", {}, "nccl.all_reduce", {});
  ASSERT_EQ(ar.status, MeasurementStatus::ok) << ar.message;
  const Measurement ag = run_sim("h100-sxm5-80gb-8x", {}, "nccl.all_gather", {});
  ASSERT_EQ(ag.status, MeasurementStatus::ok) << ag.message;
  for (const auto& [m, ratio, name] :
       {std::tuple{&ar, 1.75, "all_reduce"}, std::tuple{&ag, 0.875, "all_gather"}}) {
    const auto& bus = m->metrics.at(std::string("nccl.") + name + ".busbw_gbps");
    const auto& alg = m->metrics.at(std::string("nccl.") + name + ".algbw_gbps");
    ASSERT_GE(bus.size(), 10u);
    for (size_t i = 0; i < bus.size(); ++i)
      EXPECT_NEAR(bus[i] / alg[i], ratio, 1e-12) << name;
    EXPECT_TRUE(m->verification.checked && m->verification.passed) << m->verification.detail;
    EXPECT_EQ(m->extra.at("simulated"), true);
    EXPECT_EQ(m->extra.at("ranks"), 8);
  }
  // At 1 GiB the latency floor is negligible: busbw sits at the node's figures (NVLS for
  // all_reduce, ring for all_gather) within noise and silicon spread.
  const auto node = sim::load_builtin_node("h100-sxm5-80gb-8x");
  const double nvls = node.achievable.at("nccl.busbw");
  EXPECT_NEAR(stats::statistic(ar.metrics.at("nccl.all_reduce.busbw_gbps"), "median") / nvls, 1.0,
              0.03);
  EXPECT_NEAR(stats::statistic(ag.metrics.at("nccl.all_gather.busbw_gbps"), "median") /
                  (nvls * kRingOverNvls),
              1.0, 0.03);
  EXPECT_EQ(ar.extra.at("factors").at("algorithm"), "nvls");
  EXPECT_EQ(ag.extra.at("factors").at("algorithm"), "ring");
  EXPECT_EQ(ar.bytes_per_sample, 20.0 * (1u << 30));
}

TEST(Collectives, SimulatedSmallMessagesHitTheLatencyFloor) {
  const Measurement m = run_sim("h100-sxm5-80gb-8x", {}, "nccl.all_reduce", {{"bytes", "8"}});
  ASSERT_EQ(m.status, MeasurementStatus::ok) << m.message;
  const double per_collective_us = stats::statistic(m.seconds, "median") / 20 * 1e6;
  const double latency =
      sim::load_builtin_node("h100-sxm5-80gb-8x").achievable.at("nccl.latency_us");
  EXPECT_NEAR(per_collective_us / latency, 1.0, 0.05);
}

TEST(Collectives, SimulatedSingleGpuAllReduceHasBusbwZeroAndSaysSo) {
  const Measurement m = run_sim("h100-pcie-80gb-1x", {}, "nccl.all_reduce", {});
  ASSERT_EQ(m.status, MeasurementStatus::ok) << m.message;
  for (double v : m.metrics.at("nccl.all_reduce.busbw_gbps"))
    EXPECT_EQ(v, 0.0);
  for (double v : m.metrics.at("nccl.all_reduce.algbw_gbps"))
    EXPECT_GT(v, 0.0);
  EXPECT_EQ(m.extra.at("busbw_factor"), 0.0);
  EXPECT_NE(m.extra.at("note").get<std::string>().find("one rank"), std::string::npos);
  const Measurement b = run_sim("h100-pcie-80gb-1x", {}, "nccl.broadcast", {});
  ASSERT_EQ(b.status, MeasurementStatus::ok) << b.message;
  EXPECT_EQ(b.metrics.at("nccl.broadcast.busbw_gbps"), b.metrics.at("nccl.broadcast.algbw_gbps"));
}

TEST(Collectives, SimulatedNvlinkFaultLowersTheBottleneckAndIsNamed) {
  const Measurement ok = run_sim("h100-sxm5-80gb-8x", {}, "nccl.reduce_scatter", {});
  const Measurement slow =
      run_sim("h100-sxm5-80gb-8x", {"gpu2-gpu5:nvlink=0.5"}, "nccl.reduce_scatter", {});
  ASSERT_EQ(slow.status, MeasurementStatus::ok) << slow.message;
  const double r = stats::statistic(slow.metrics.at("nccl.reduce_scatter.busbw_gbps"), "median") /
                   stats::statistic(ok.metrics.at("nccl.reduce_scatter.busbw_gbps"), "median");
  EXPECT_NEAR(r, 0.5, 0.03);
  EXPECT_EQ(slow.extra.at("factors").at("bottleneck"), "gpu2-gpu5 nvlink x0.5");
  // A collective that does not use the pair is not slowed: sendrecv on GPUs 0-3 (ring 0>1>2>3>0).
  const Measurement p2p =
      run_sim("h100-sxm5-80gb-8x", {"gpu2-gpu5:nvlink=0.5"}, "nccl.sendrecv", {}, {0, 1, 2, 3});
  ASSERT_EQ(p2p.status, MeasurementStatus::ok) << p2p.message;
  EXPECT_EQ(p2p.extra.at("factors").at("nvlink_fault"), 1.0);
}

TEST(Collectives, SimulatedLostGpuMakesTheCollectiveErrorNamingIt) {
  const Measurement m = run_sim("h100-sxm5-80gb-8x", {"gpu6:lost@0"}, "nccl.all_reduce", {});
  EXPECT_EQ(m.status, MeasurementStatus::error);
  EXPECT_NE(m.message.find("GPU 6"), std::string::npos) << m.message;
}

TEST(Collectives, SimulatedSilentDataCorruptionFailsTheExactCheckNamingRankAndOffset) {
  const Measurement m =
      run_sim("h100-sxm5-80gb-8x", {"gpu4:sdc"}, "nccl.all_gather", {{"dtype", "half"}});
  EXPECT_EQ(m.status, MeasurementStatus::incorrect);
  EXPECT_NE(m.message.find("rank 4 (gpu 4)"), std::string::npos) << m.message;
  EXPECT_NE(m.message.find("offset"), std::string::npos) << m.message;
  EXPECT_NE(m.message.find("gpu4:sdc"), std::string::npos) << m.message;
}

TEST(Collectives, SimulatedInPlaceAlltoallIsSkippedWithTheReason) {
  const Measurement m = run_sim("h100-sxm5-80gb-8x", {}, "nccl.alltoall", {{"inplace", "true"}});
  EXPECT_EQ(m.status, MeasurementStatus::skipped);
  EXPECT_NE(m.message.find("in-place"), std::string::npos) << m.message;
}

TEST(Collectives, ModelPicksNvlsRingOrP2pByCollectiveAndNode) {
  const auto node = sim::load_builtin_node("h100-sxm5-80gb-8x");
  const sim::FaultSet none;
  const std::vector<int> all = {0, 1, 2, 3, 4, 5, 6, 7};
  const auto ar = model_collective(node, none, collective_by_name("all_reduce"), all);
  EXPECT_EQ(ar.algorithm, "nvls");
  EXPECT_EQ(ar.busbw_gbps, node.achievable.at("nccl.busbw"));
  const auto sr = model_collective(node, none, collective_by_name("sendrecv"), all);
  EXPECT_EQ(sr.algorithm, "p2p");
  EXPECT_EQ(sr.busbw_gbps, node.achievable.at("p2p.uni"));
  // time = latency + size * factor / busbw: 1e9 bytes all_reduce on 8 ranks.
  EXPECT_DOUBLE_EQ(collective_seconds(ar, collective_by_name("all_reduce"), 8, 1e9, false),
                   ar.latency_s + 1e9 * 1.75 / (ar.busbw_gbps * 1e9));
  const auto pcie = sim::load_builtin_node("h100-pcie-80gb-1x");
  EXPECT_EQ(model_collective(pcie, none, collective_by_name("all_reduce"), {0}).algorithm, "local");
}

} // namespace
} // namespace gpucert::coll
