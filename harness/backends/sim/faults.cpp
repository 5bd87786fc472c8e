// Parses and validates simulator fault tokens (grammar in faults.hpp; meanings in README.md).
#include "harness/backends/sim/faults.hpp"

#include "harness/backends/sim/sim_node.hpp"
#include "harness/core/error.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <set>

namespace gpucert::sim {
namespace {

[[noreturn]] void reject(const std::string& token, const std::string& why) {
  throw InputError(fmt::format("--fault {}: {}", token, why));
}

constexpr const char* kGrammar =
    "expected gpuN:gemm=F, gpuN:hbm=F, gpuN:pcie=genGxW, gpuN-gpuM:nvlink=F, gpuN:thermal, "
    "gpuN:ecc_uncorrectable=K, gpuN:sdc, gpuN:lost@S, node:noise=CV, node:drift=F or "
    "node:autocorr=RHO";

/// Whole-string decimal number; no sign, no spaces, no hex, finite.
std::optional<double> to_number(std::string_view s) {
  if (s.empty() || s.front() == '+' || s.front() == '-')
    return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

/// As to_number, with an optional leading '-' (a drift may be negative).
std::optional<double> to_signed_number(std::string_view s) {
  if (!s.empty() && s.front() == '-') {
    auto v = to_number(s.substr(1));
    return v ? std::optional<double>(-*v) : std::nullopt;
  }
  return to_number(s);
}

std::optional<long long> to_integer(std::string_view s) {
  if (s.empty())
    return std::nullopt;
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0)
    return std::nullopt;
  return v;
}

/// "gpuN" → N, checked against the node's GPU count.
int gpu_index(const std::string& token, std::string_view word, int gpu_count) {
  if (word.substr(0, 3) != "gpu")
    reject(token, fmt::format("'{}' is not a target; {}", word, kGrammar));
  auto n = to_integer(word.substr(3));
  if (!n)
    reject(token, fmt::format("'{}' is not gpuN with N a GPU index", word));
  if (*n >= gpu_count)
    reject(token, fmt::format("GPU {} does not exist (this node has {} GPU{}: gpu0..gpu{})", *n,
                              gpu_count, gpu_count == 1 ? "" : "s", gpu_count - 1));
  return static_cast<int>(*n);
}

double factor(const std::string& token, std::string_view value) {
  auto f = to_number(value);
  if (!f || *f <= 0)
    reject(token, fmt::format("'{}' is not a factor > 0 (e.g. 0.5 = half speed)", value));
  return *f;
}

Fault parse_one(const std::string& token, int gpu_count) {
  const auto colon = token.find(':');
  if (colon == std::string::npos)
    reject(token, kGrammar);
  const std::string_view target = std::string_view(token).substr(0, colon);
  const std::string_view spec = std::string_view(token).substr(colon + 1);
  const auto eq = spec.find_first_of("=@");
  const std::string_view kind = spec.substr(0, eq);
  const std::string_view value = eq == std::string_view::npos ? "" : spec.substr(eq + 1);
  const char sep = eq == std::string_view::npos ? '\0' : spec[eq];

  Fault f;
  f.token = token;
  auto need = [&](char want, const char* form) {
    if (sep != want || (want != '\0' && value.empty()))
      reject(token, fmt::format("{} is written {}", kind, form));
  };

  if (target == "node") {
    if (kind == "drift") {
      need('=', "node:drift=F (relative change per simulated minute of load, e.g. -0.01)");
      auto d = to_signed_number(value);
      if (!d || *d <= -1)
        reject(token, fmt::format("'{}' is not a relative change per minute > -1 (e.g. -0.01 = "
                                  "every figure 1 % lower per simulated minute of load)",
                                  value));
      f.kind = Fault::Kind::drift;
      f.drift = *d == 0 ? 0.0 : *d; // -0 is 0
      return f;
    }
    if (kind == "autocorr") {
      need('=', "node:autocorr=RHO (lag-1 correlation of the noise, 0 <= RHO < 1)");
      auto rho = to_number(value);
      if (!rho || *rho >= 1)
        reject(token, fmt::format("'{}' is not a lag-1 correlation in [0, 1)", value));
      f.kind = Fault::Kind::autocorr;
      f.autocorr = *rho;
      return f;
    }
    if (kind != "noise")
      reject(token,
             fmt::format("node faults are node:noise=CV, node:drift=F and node:autocorr=RHO; {}",
                         kGrammar));
    need('=', "node:noise=CV");
    auto cv = to_number(value);
    if (!cv || *cv >= 1)
      reject(token, fmt::format("'{}' is not a coefficient of variation in [0, 1)", value));
    f.kind = Fault::Kind::noise;
    f.noise_cv = *cv;
    return f;
  }

  if (kind == "nvlink") {
    const auto dash = target.find('-');
    if (dash == std::string_view::npos)
      reject(token, "an NVLink fault names a GPU pair: gpuN-gpuM:nvlink=F");
    need('=', "gpuN-gpuM:nvlink=F");
    const int a = gpu_index(token, target.substr(0, dash), gpu_count);
    const int b = gpu_index(token, target.substr(dash + 1), gpu_count);
    if (a == b)
      reject(token, "an NVLink fault needs two distinct GPUs");
    f.kind = Fault::Kind::nvlink;
    f.gpus = {a, b};
    f.factor = factor(token, value);
    return f;
  }

  f.gpus = {gpu_index(token, target, gpu_count)};
  if (kind == "gemm" || kind == "hbm") {
    need('=', kind == "gemm" ? "gpuN:gemm=F" : "gpuN:hbm=F");
    f.kind = kind == "gemm" ? Fault::Kind::gemm : Fault::Kind::hbm;
    f.factor = factor(token, value);
  } else if (kind == "pcie") {
    need('=', "gpuN:pcie=genGxW (e.g. pcie=gen4x8)");
    const auto x = value.find('x');
    auto gen = value.substr(0, 3) == "gen" && x != std::string_view::npos
                   ? to_integer(value.substr(3, x - 3))
                   : std::nullopt;
    auto width = x != std::string_view::npos ? to_integer(value.substr(x + 1)) : std::nullopt;
    if (!gen || !width)
      reject(token, "pcie is written gpuN:pcie=genGxW (e.g. pcie=gen4x8)");
    if (*gen < 1 || *gen > 6)
      reject(token, fmt::format("PCIe gen {} does not exist (1..6)", *gen));
    static const std::set<long long> widths = {1, 2, 4, 8, 12, 16, 32};
    if (!widths.count(*width))
      reject(token,
             fmt::format("PCIe width x{} does not exist (x1, x2, x4, x8, x12, x16, x32)", *width));
    f.kind = Fault::Kind::pcie;
    f.pcie_gen = static_cast<int>(*gen);
    f.pcie_width = static_cast<int>(*width);
  } else if (kind == "thermal" || kind == "sdc") {
    need('\0', kind == "thermal" ? "gpuN:thermal (no value)" : "gpuN:sdc (no value)");
    f.kind = kind == "thermal" ? Fault::Kind::thermal : Fault::Kind::sdc;
  } else if (kind == "ecc_uncorrectable") {
    need('=', "gpuN:ecc_uncorrectable=K");
    auto k = to_integer(value);
    if (!k || *k < 1)
      reject(token, fmt::format("'{}' is not an error count >= 1", value));
    f.kind = Fault::Kind::ecc_uncorrectable;
    f.count = *k;
  } else if (kind == "lost") {
    need('@', "gpuN:lost@S (S = seconds into the run)");
    auto s = to_number(value);
    if (!s)
      reject(token, fmt::format("'{}' is not a number of seconds >= 0", value));
    f.kind = Fault::Kind::lost;
    f.at_seconds = *s;
  } else if (kind == "noise" || kind == "drift" || kind == "autocorr") {
    reject(token, fmt::format("{} applies to the whole node: node:{}", kind,
                              kind == "noise"   ? "noise=CV"
                              : kind == "drift" ? "drift=F"
                                                : "autocorr=RHO"));
  } else {
    reject(token, fmt::format("unknown fault '{}'; {}", kind, kGrammar));
  }
  return f;
}

/// Same kind on the same GPU(s) twice is ambiguous: say so rather than pick one.
std::string identity(const Fault& f) {
  auto gpus = f.gpus;
  std::sort(gpus.begin(), gpus.end());
  return fmt::format("{}:{}", static_cast<int>(f.kind), fmt::join(gpus, ","));
}

/// True when both GPUs reach each other over NVLink: a direct link or a shared NVSwitch.
bool nvlink_connected(const Inventory& inv, int a, int b) {
  std::set<std::string> remotes_a;
  for (const auto& l : inv.gpus[a].nvlinks)
    if (!l.remote_pci_bus_id.empty())
      remotes_a.insert(l.remote_pci_bus_id);
  const auto& bus_b = inv.gpus[b].pci_bus_id;
  if (bus_b && remotes_a.count(*bus_b))
    return true;
  for (const auto& l : inv.gpus[b].nvlinks)
    if (l.remote_type == "switch" && remotes_a.count(l.remote_pci_bus_id))
      return true;
  return false;
}

template <class Pred> std::optional<Fault> find(const std::vector<Fault>& faults, Pred pred) {
  for (const auto& f : faults)
    if (pred(f))
      return f;
  return std::nullopt;
}

} // namespace

std::vector<Fault> parse_faults(const std::vector<std::string>& tokens, int gpu_count) {
  std::vector<Fault> out;
  std::map<std::string, std::string> seen;
  for (const auto& token : tokens) {
    Fault f = parse_one(token, gpu_count);
    auto [it, fresh] = seen.emplace(identity(f), token);
    if (!fresh)
      reject(token, fmt::format("conflicts with --fault {} (the same fault twice)", it->second));
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Fault> parse_faults(const std::vector<std::string>& tokens, const SimNode& node) {
  auto faults = parse_faults(tokens, node.gpu_count);
  for (const auto& f : faults) {
    if (f.kind == Fault::Kind::pcie) {
      const auto& g = node.inventory.gpus[f.gpus[0]];
      if (g.pcie_gen_max && f.pcie_gen > *g.pcie_gen_max)
        reject(f.token, fmt::format("a link trains down, not up: gpu{} is at most PCIe gen {}",
                                    f.gpus[0], *g.pcie_gen_max));
      if (g.pcie_width_max && f.pcie_width > *g.pcie_width_max)
        reject(f.token, fmt::format("a link trains down, not up: gpu{} is at most x{}", f.gpus[0],
                                    *g.pcie_width_max));
    }
    if (f.kind == Fault::Kind::nvlink && !nvlink_connected(node.inventory, f.gpus[0], f.gpus[1]))
      reject(f.token, fmt::format("gpu{} and gpu{} are not NVLink-connected on {}", f.gpus[0],
                                  f.gpus[1], node.name));
  }
  return faults;
}

double FaultSet::gemm_factor(int gpu) const {
  auto f = find(faults_,
                [&](const Fault& f) { return f.kind == Fault::Kind::gemm && f.gpus[0] == gpu; });
  return f ? f->factor : 1.0;
}

double FaultSet::hbm_factor(int gpu) const {
  auto f =
      find(faults_, [&](const Fault& f) { return f.kind == Fault::Kind::hbm && f.gpus[0] == gpu; });
  return f ? f->factor : 1.0;
}

double FaultSet::nvlink_factor(int a, int b) const {
  auto f = find(faults_, [&](const Fault& f) {
    return f.kind == Fault::Kind::nvlink &&
           ((f.gpus[0] == a && f.gpus[1] == b) || (f.gpus[0] == b && f.gpus[1] == a));
  });
  return f ? f->factor : 1.0;
}

std::optional<Fault> FaultSet::pcie(int gpu) const {
  return find(faults_,
              [&](const Fault& f) { return f.kind == Fault::Kind::pcie && f.gpus[0] == gpu; });
}

bool FaultSet::thermal(int gpu) const {
  return find(faults_,
              [&](const Fault& f) { return f.kind == Fault::Kind::thermal && f.gpus[0] == gpu; })
      .has_value();
}

long long FaultSet::ecc_uncorrectable(int gpu) const {
  auto f = find(faults_, [&](const Fault& f) {
    return f.kind == Fault::Kind::ecc_uncorrectable && f.gpus[0] == gpu;
  });
  return f ? f->count : 0;
}

bool FaultSet::sdc(int gpu) const {
  return find(faults_,
              [&](const Fault& f) { return f.kind == Fault::Kind::sdc && f.gpus[0] == gpu; })
      .has_value();
}

std::optional<double> FaultSet::lost_at(int gpu) const {
  auto f = find(faults_,
                [&](const Fault& f) { return f.kind == Fault::Kind::lost && f.gpus[0] == gpu; });
  return f ? std::optional<double>(f->at_seconds) : std::nullopt;
}

std::optional<double> FaultSet::noise_cv() const {
  auto f = find(faults_, [](const Fault& f) { return f.kind == Fault::Kind::noise; });
  return f ? std::optional<double>(f->noise_cv) : std::nullopt;
}

double FaultSet::drift_per_minute() const {
  auto f = find(faults_, [](const Fault& f) { return f.kind == Fault::Kind::drift; });
  return f ? f->drift : 0.0;
}

double FaultSet::autocorr() const {
  auto f = find(faults_, [](const Fault& f) { return f.kind == Fault::Kind::autocorr; });
  return f ? f->autocorr : 0.0;
}

} // namespace gpucert::sim
