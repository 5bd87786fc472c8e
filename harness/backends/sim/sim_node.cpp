// Loads simulator node descriptions (harness/backends/sim/nodes/*.yaml, embedded in the binary, or
// a file a profile author wrote). Strict: the guarded YAML reader first (size, text, depth,
// aliases), then unknown keys, wrong types, missing fields and out-of-range counts are InputErrors
// with source:line:col.
#include "harness/backends/sim/sim_node.hpp"

#include "harness/backends/sim/models/models.hpp"
#include "harness/backends/sim/sim_hash.hpp"
#include "harness/core/error.hpp"
#include "harness/core/input_limits.hpp"
#include "harness/core/yaml_input.hpp"
#include "harness/model/inventory_fields.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fmt/format.h>
#include <set>
#include <type_traits>
#include <yaml-cpp/yaml.h>

namespace gpucert::embedded {
const std::map<std::string, std::string>& sim_nodes();
} // namespace gpucert::embedded

namespace gpucert::sim {
namespace {

constexpr const char* kSimNodeSchema = "gpucert/sim-node/v1";

class Reader {
public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& what) const {
    const auto m = at.Mark();
    if (m.is_null())
      throw InputError(fmt::format("{}: {}", source_, what));
    throw InputError(fmt::format("{}:{}:{}: {}", source_, m.line + 1, m.column + 1, what));
  }

  YAML::Node map(const YAML::Node& n, const std::string& what) const {
    if (!n.IsMap())
      fail(n, fmt::format("{} must be a mapping", what));
    return n;
  }

  /// Rejects keys outside `allowed`: a typo must not silently fall back to a default.
  void only(const YAML::Node& m, const std::set<std::string>& allowed,
            const std::string& what) const {
    for (const auto& kv : m) {
      const std::string key = this->key(kv.first, what);
      if (!allowed.count(key))
        fail(kv.first, fmt::format("unknown key '{}' in {}", key, what));
    }
  }

  /// A mapping key as text. A list, map or null used as a key is refused here: yaml-cpp would
  /// throw its own conversion error past the InputError contract (found by fuzzing).
  std::string key(const YAML::Node& k, const std::string& what) const {
    if (!k.IsScalar())
      fail(k, fmt::format("{}: a key must be a plain name, not {}", what,
                          k.IsNull()  ? "null"
                          : k.IsMap() ? "a mapping"
                                      : "a list"));
    return k.Scalar();
  }

  YAML::Node required(const YAML::Node& m, const std::string& key, const std::string& what) const {
    const YAML::Node v = m[key];
    if (!v)
      fail(m, fmt::format("{} needs '{}'", what, key));
    return v;
  }

  template <class T> T as(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar())
      fail(n, fmt::format("{}: expected {}", what, type_name<T>()));
    try {
      return n.as<T>();
    } catch (const YAML::BadConversion&) {
      fail(n, fmt::format("{}: '{}' is not {}", what, n.Scalar(), type_name<T>()));
    }
  }

  double positive(const YAML::Node& n, const std::string& what) const {
    const double v = as<double>(n, what);
    if (!(v > 0) || !std::isfinite(v))
      fail(n, fmt::format("{}: must be a number > 0", what));
    return v;
  }

  /// "81559 MiB", "80GiB" or a plain byte count.
  std::uint64_t bytes(const YAML::Node& n, const std::string& what) const {
    const std::string text = as<std::string>(n, what);
    std::size_t used = 0;
    double value = 0;
    try {
      value = std::stod(text, &used);
    } catch (const std::exception&) {
      fail(n, fmt::format("{}: '{}' is not a size (e.g. 81559 MiB)", what, text));
    }
    std::string unit = text.substr(used);
    unit.erase(0, unit.find_first_not_of(' '));
    static const std::map<std::string, double> units = {
        {"", 1},     {"B", 1},    {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0},
        {"kB", 1e3}, {"MB", 1e6}, {"GB", 1e9}};
    auto it = units.find(unit);
    if (it == units.end() || !(value >= 0))
      fail(n, fmt::format("{}: '{}' is not a size (e.g. 81559 MiB)", what, text));
    if (!(value * it->second <= kMaxBytes)) // also keeps llround below from overflowing
      fail(n, fmt::format("{}: '{}' is larger than {:g} bytes", what, text, kMaxBytes));
    return static_cast<std::uint64_t>(std::llround(value * it->second));
  }

  template <class T> static const char* type_name() {
    if constexpr (std::is_same_v<T, bool>)
      return "a boolean";
    else if constexpr (std::is_integral_v<T>)
      return "an integer";
    else if constexpr (std::is_floating_point_v<T>)
      return "a number";
    else
      return "a string";
  }

private:
  std::string source_;
};

/// Fills one inventory struct's optional fields from `given` (merged per-GPU over defaults):
/// every field has a value or a reason under `unavailable`, never both, never neither.
template <class Info, class ForEach>
void read_fields(const Reader& r, Info& info, const std::map<std::string, YAML::Node>& given,
                 const std::map<std::string, YAML::Node>& unavailable, const YAML::Node& where,
                 const std::string& what, ForEach for_each,
                 const std::set<std::string>& derived = {}) {
  for (const auto& [field, node] : unavailable)
    info.unavailable[field] = r.as<std::string>(node, what + ".unavailable." + field);
  for_each(info, [&](const char* name, auto& out) {
    using T = typename std::decay_t<decltype(out)>::value_type;
    if (derived.count(name))
      return;
    auto it = given.find(name);
    const bool absent = unavailable.count(name) > 0;
    if (it == given.end()) {
      if (!absent)
        r.fail(where, fmt::format("{}: no value for '{}' (give one, or list it under "
                                  "unavailable with the reason)",
                                  what, name));
      return;
    }
    if (absent)
      r.fail(it->second,
             fmt::format("{}: '{}' has a value and is also listed as unavailable", what, name));
    const std::string path = what + "." + name;
    if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      if (!it->second.IsSequence())
        r.fail(it->second, path + ": expected a list");
      T list;
      for (const auto& item : it->second)
        list.push_back(r.as<std::string>(item, path));
      out = list;
    } else if constexpr (std::is_same_v<T, std::uint64_t>) {
      out = std::string_view(name).ends_with("_bytes") ? r.bytes(it->second, path)
                                                       : r.as<std::uint64_t>(it->second, path);
    } else {
      out = r.as<T>(it->second, path);
    }
  });
}

std::set<std::string> field_names_gpu() {
  std::set<std::string> names;
  GpuInfo g;
  for_each_gpu_field(g, [&](const char* name, auto&) { names.insert(name); });
  return names;
}

/// Sets map[key] without YAML::Node::operator=, which would write through to the node the old
/// value referred to (yaml-cpp nodes are references) and so edit gpu_defaults.
void put(std::map<std::string, YAML::Node>& map, const std::string& key, const YAML::Node& value) {
  map.erase(key);
  map.emplace(key, value);
}

std::map<std::string, YAML::Node> entries(const Reader& r, const YAML::Node& m,
                                          const std::string& what) {
  std::map<std::string, YAML::Node> out;
  for (const auto& kv : m)
    put(out, r.key(kv.first, what), kv.second);
  return out;
}

std::map<std::string, double> read_perf(const Reader& r, const YAML::Node& m,
                                        const std::string& what) {
  r.map(m, what);
  // The figures are the ones the simulator's models read: the catalogue decides, not a list here.
  const std::set<std::string>& keys = builtin_models().figures;
  r.only(m, keys, what);
  std::map<std::string, double> out;
  for (const auto& k : keys)
    out[k] = r.positive(r.required(m, k, what), what + "." + k);
  return out;
}

/// The GPU's NVLink ends: links handed out to the NVSwitch chips in order.
void add_nvlinks(const Reader& r, GpuInfo& g, int links, const YAML::Node& where,
                 const std::vector<std::string>& switches, const std::vector<int>& per_switch) {
  g.nvlink_links_total = links;
  g.nvlink_links_active = links;
  if (links == 0)
    return;
  int sum = 0;
  for (int n : per_switch)
    sum += n;
  if (switches.empty() || switches.size() != per_switch.size() || sum != links)
    r.fail(where, fmt::format("gpu{}: {} NVLink links need nvswitches and nvlink_links_per_switch "
                              "(one count per switch) adding up to {}",
                              g.index, links, links));
  int link = 0;
  for (std::size_t s = 0; s < switches.size(); ++s)
    for (int i = 0; i < per_switch[s]; ++i)
      g.nvlinks.push_back({link++, true, switches[s], "switch"});
}

} // namespace

SimNode parse_node(const std::string& yaml_text, const std::string& source) {
  const Reader r(source);
  const YAML::Node root = parse_yaml_text(yaml_text, source, kNodeInput);
  r.map(root, "a simulator node");
  r.only(root,
         {"schema", "name", "description", "interconnect", "nvls", "model", "node", "nvswitches",
          "nvlink_links_per_switch", "gpu_defaults", "gpus", "peak", "achievable", "acceptance"},
         "the node description");

  const YAML::Node schema = r.required(root, "schema", "the node description");
  if (r.as<std::string>(schema, "schema") != kSimNodeSchema)
    r.fail(schema, fmt::format("schema must be {}", kSimNodeSchema));

  SimNode node;
  node.name = r.as<std::string>(r.required(root, "name", "the node description"), "name");
  if (const auto d = root["description"])
    node.description = r.as<std::string>(d, "description");
  const YAML::Node ic = r.required(root, "interconnect", "the node description");
  node.interconnect = r.as<std::string>(ic, "interconnect");
  if (node.interconnect != "nvswitch" && node.interconnect != "pcie")
    r.fail(ic, "interconnect must be nvswitch or pcie");
  if (const auto v = root["nvls"])
    node.nvls = r.as<bool>(v, "nvls");

  if (const auto m = root["model"]) {
    r.map(m, "model");
    r.only(m, {"noise_cv", "gpu_spread", "thermal_throttle_after_s", "thermal_factor", "setup"},
           "model");
    if (const auto su = m["setup"]) {
      r.map(su, "model.setup");
      SetupCosts& c = node.setup;
      const std::map<std::string, double*> fields = {
          {"context_s", &c.context_s},
          {"instance_s", &c.instance_s},
          {"alloc_s_per_gib", &c.alloc_s_per_gib},
          {"fill_gbps", &c.fill_gbps},
          {"algo_timing_samples", &c.algo_timing_samples},
          {"nccl_init_s", &c.nccl_init_s}};
      std::set<std::string> keys;
      for (const auto& [k, _] : fields)
        keys.insert(k);
      r.only(su, keys, "model.setup");
      for (const auto& [k, field] : fields)
        if (const auto v = su[k]) {
          *field = r.as<double>(v, "model.setup." + k);
          if (!(*field >= 0) || *field > 1e6)
            r.fail(v, fmt::format("model.setup.{}: a cost in [0, 1e6]", k));
        }
    }
    if (const auto v = m["noise_cv"])
      node.noise_cv = r.as<double>(v, "model.noise_cv");
    if (const auto v = m["gpu_spread"])
      node.gpu_spread = r.as<double>(v, "model.gpu_spread");
    if (const auto v = m["thermal_throttle_after_s"])
      node.thermal_throttle_after_s = r.as<double>(v, "model.thermal_throttle_after_s");
    if (const auto v = m["thermal_factor"]) {
      node.thermal_factor = r.positive(v, "model.thermal_factor");
      if (node.thermal_factor > 1)
        r.fail(v, "model.thermal_factor: a clock ratio, at most 1");
    }
    if (node.noise_cv < 0 || node.noise_cv >= 1 || node.gpu_spread < 0 || node.gpu_spread >= 1 ||
        node.thermal_throttle_after_s < 0)
      r.fail(m, "model: noise_cv and gpu_spread must be in [0, 1), thermal_throttle_after_s >= 0");
  }

  Inventory& inv = node.inventory;
  inv.simulated = true;
  inv.sim_node = node.name;

  // Node-level fields.
  {
    const YAML::Node m = r.map(r.required(root, "node", "the node description"), "node");
    std::set<std::string> allowed = {"unavailable"};
    for_each_node_field(inv.node, [&](const char* name, auto&) { allowed.insert(name); });
    r.only(m, allowed, "node");
    auto given = entries(r, m, "node");
    given.erase("unavailable");
    std::map<std::string, YAML::Node> unavailable;
    if (const auto u = m["unavailable"])
      unavailable = entries(r, r.map(u, "node.unavailable"), "node.unavailable");
    read_fields(r, inv.node, given, unavailable, m, "node",
                [](auto& info, auto&& v) { for_each_node_field(info, v); });
  }

  std::vector<std::string> switches;
  std::vector<int> per_switch;
  if (const auto s = root["nvswitches"]) {
    if (!s.IsSequence())
      r.fail(s, "nvswitches must be a list of PCI bus ids");
    for (const auto& x : s)
      switches.push_back(r.as<std::string>(x, "nvswitches"));
  }
  if (const auto s = root["nvlink_links_per_switch"]) {
    if (!s.IsSequence())
      r.fail(s, "nvlink_links_per_switch must be a list of counts");
    for (const auto& x : s) {
      per_switch.push_back(r.as<int>(x, "nvlink_links_per_switch"));
      if (per_switch.back() < 0 || per_switch.back() > kMaxNvLinksPerGpu)
        r.fail(x, fmt::format("nvlink_links_per_switch: must be 0 to {}", kMaxNvLinksPerGpu));
    }
  }

  // GPUs: each entry of `gpus` over `gpu_defaults`.
  std::set<std::string> gpu_keys = field_names_gpu();
  gpu_keys.erase("nvlink_links_active"); // derived from nvlink_links and the switches
  gpu_keys.erase("nvlink_links_total");
  gpu_keys.insert("nvlink_links");
  gpu_keys.insert("unavailable");
  const std::set<std::string> gpu_fields = field_names_gpu();

  const YAML::Node defaults =
      r.map(r.required(root, "gpu_defaults", "the node description"), "gpu_defaults");
  r.only(defaults, gpu_keys, "gpu_defaults");
  const YAML::Node gpus = r.required(root, "gpus", "the node description");
  if (!gpus.IsSequence() || gpus.size() == 0)
    r.fail(gpus, "gpus must be a non-empty list");
  if (gpus.size() > static_cast<std::size_t>(kMaxGpus))
    r.fail(gpus, fmt::format("gpus: {} entries; a node has at most {}", gpus.size(), kMaxGpus));
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    const YAML::Node entry = r.map(gpus[i], fmt::format("gpus[{}]", i));
    const std::string what = fmt::format("gpu{}", i);
    r.only(entry, gpu_keys, what);
    auto given = entries(r, defaults, "gpu_defaults");
    for (const auto& [k, v] : entries(r, entry, what))
      put(given, k, v);
    std::map<std::string, YAML::Node> unavailable;
    for (const auto* src : {&defaults, &entry})
      if (const auto u = (*src)["unavailable"])
        for (const auto& [k, v] :
             entries(r, r.map(u, what + ".unavailable"), what + ".unavailable")) {
          if (!gpu_fields.count(k) && k != "nvlinks")
            r.fail(u, fmt::format("{}.unavailable: '{}' is not a GPU field", what, k));
          put(unavailable, k, v);
        }
    given.erase("unavailable");
    const auto links_it = given.find("nvlink_links");
    if (links_it == given.end())
      r.fail(entry, what + ": no value for 'nvlink_links' (0 when the GPU has none)");
    const YAML::Node links = links_it->second;
    given.erase(links_it);

    GpuInfo g;
    g.index = static_cast<int>(i);
    read_fields(r, g, given, unavailable, entry, what,
                [](auto& info, auto&& v) { for_each_gpu_field(info, v); },
                {"nvlink_links_active", "nvlink_links_total"});
    const int n = r.as<int>(links, what + ".nvlink_links");
    if (n < 0 || n > kMaxNvLinksPerGpu)
      r.fail(links, fmt::format("{}.nvlink_links: must be 0 to {}", what, kMaxNvLinksPerGpu));
    add_nvlinks(r, g, n, links, switches, per_switch);
    inv.gpus.push_back(std::move(g));
  }
  node.gpu_count = static_cast<int>(inv.gpus.size());

  node.peak = read_perf(r, r.required(root, "peak", "the node description"), "peak");
  node.achievable =
      read_perf(r, r.required(root, "achievable", "the node description"), "achievable");
  if (const auto a = root["acceptance"]) { // optional, any subset of the figures
    r.map(a, "acceptance");
    r.only(a, builtin_models().figures, "acceptance");
    for (const auto& kv : a) {
      const std::string key = r.key(kv.first, "acceptance");
      node.acceptance[key] = r.positive(kv.second, "acceptance." + key);
    }
  }
  return node;
}

std::string identity_key(const SimNode& node) {
  const auto& h = node.inventory.node.hostname;
  return h && !h->empty() ? *h : node.name;
}

void set_hostname(SimNode& node, const std::string& hostname) {
  const bool chars_ok = std::all_of(hostname.begin(), hostname.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.';
  });
  if (hostname.empty() || hostname.size() > 253 || !chars_ok || !std::isalnum(hostname.front()))
    throw InputError(fmt::format("--hostname {}: not a host name (letters, digits, '-' and '.', "
                                 "starting with a letter or digit, at most 253 characters)",
                                 hostname));
  if (node.inventory.node.hostname == hostname)
    return; // the node file's own identity
  node.inventory.node.hostname = hostname;
  node.inventory.node.unavailable.erase("hostname");
  for (auto& g : node.inventory.gpus) {
    const auto i = static_cast<std::uint64_t>(g.index);
    if (g.uuid) { // NVML's form: GPU-8-4-4-4-12 hex digits
      const std::uint64_t a = hash_of(hostname, i, 1), b = hash_of(hostname, i, 2);
      g.uuid = fmt::format("GPU-{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff,
                           a & 0xffff, b >> 48, b & 0xffffffffffffULL);
    }
    if (g.serial) // 13 decimal digits, as the boards print them
      g.serial = fmt::format("{}", 1000000000000ULL + hash_of(hostname, i, 3) % 9000000000000ULL);
  }
}

std::vector<std::string> builtin_node_names() {
  std::vector<std::string> names;
  for (const auto& [file, text] : embedded::sim_nodes()) {
    const auto dot = file.rfind(".yaml");
    names.push_back(dot == std::string::npos ? file : file.substr(0, dot));
  }
  return names;
}

SimNode load_builtin_node(const std::string& name) {
  const auto& files = embedded::sim_nodes();
  auto it = files.find(name + ".yaml");
  if (it == files.end())
    throw InputError(fmt::format("--simulate {}: no such simulator node (built-in nodes: {})", name,
                                 fmt::join(builtin_node_names(), ", ")));
  return parse_node(it->second, "harness/backends/sim/nodes/" + it->first);
}

std::optional<SimNode> builtin_node_for_gpu(const std::string& gpu_name, int gpu_count) {
  std::optional<SimNode> found;
  for (const auto& name : builtin_node_names()) { // sorted: the first match is the first by name
    SimNode node = load_builtin_node(name);
    if (node.inventory.gpus.empty() || node.inventory.gpus.front().name != gpu_name)
      continue;
    if (node.gpu_count == gpu_count)
      return node;
    if (!found)
      found = std::move(node);
  }
  return found;
}

} // namespace gpucert::sim
