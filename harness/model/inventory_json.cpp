// Inventory <-> JSON (schema gpucert/inventory/v1): absent fields are null, their reasons in
// "unavailable"; reading names the offending field.
#include "harness/core/error.hpp"
#include "harness/core/input_limits.hpp"
#include "harness/model/inventory.hpp"
#include "harness/model/inventory_fields.hpp"

#include <cstdint>
#include <fmt/core.h>
#include <limits>
#include <string>

namespace gpucert {
namespace {

using nlohmann::json;

template <class T> json opt_json(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json nvlink_json(const NvLinkPeer& p) {
  return {{"link", p.link},
          {"active", p.active},
          {"remote_pci_bus_id",
           p.remote_pci_bus_id.empty() ? json(nullptr) : json(p.remote_pci_bus_id)},
          {"remote_type", p.remote_type}};
}

/// A field's path, made only for an error message: a lot reads thousands of inventories, and
/// formatting every field's path cost more than reading it. A Path refers to its parent, so it
/// lives no longer than the call it is made for.
class Path {
public:
  Path(const std::string& root) : root_(&root) {} // NOLINT: any string is a path
  Path(const Path& parent, const char* key) : parent_(&parent), key_(key) {}
  Path(const Path& parent, std::size_t index) : parent_(&parent), index_(index) {}
  std::string str() const {
    if (root_)
      return *root_;
    const std::string up = parent_->str();
    return key_ ? up + "." + key_ : fmt::format("{}[{}]", up, index_);
  }

private:
  const std::string* root_ = nullptr;
  const Path* parent_ = nullptr;
  const char* key_ = nullptr;
  std::size_t index_ = 0;
};

[[noreturn]] void bad(const Path& path, const char* expected, const json& j) {
  throw InputError(
      fmt::format("inventory: {}: expected {}, got {}", path.str(), expected, j.type_name()));
}

// Typed reads that name the field path on a mismatch.
template <class T> T read_as(const json& j, const Path& path);

template <> std::string read_as<std::string>(const json& j, const Path& path) {
  if (!j.is_string())
    bad(path, "a string", j);
  return j.get<std::string>();
}
template <> bool read_as<bool>(const json& j, const Path& path) {
  if (!j.is_boolean())
    bad(path, "true or false", j);
  return j.get<bool>();
}
template <> int read_as<int>(const json& j, const Path& path) {
  if (!j.is_number_integer())
    bad(path, "an integer", j);
  const auto v = j.get<std::int64_t>();
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
    bad(path, "an integer in int range", j);
  return static_cast<int>(v);
}
template <> std::uint64_t read_as<std::uint64_t>(const json& j, const Path& path) {
  if (!j.is_number_unsigned())
    bad(path, "a non-negative integer", j);
  return j.get<std::uint64_t>();
}
template <> double read_as<double>(const json& j, const Path& path) {
  if (!j.is_number())
    bad(path, "a number", j);
  return j.get<double>();
}
template <>
std::vector<std::string> read_as<std::vector<std::string>>(const json& j, const Path& path) {
  if (!j.is_array())
    bad(path, "an array of strings", j);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < j.size(); ++i)
    out.push_back(read_as<std::string>(j[i], Path(path, i)));
  return out;
}

const json& member(const json& obj, const char* key) {
  static const json null_value;
  auto it = obj.find(key);
  return it == obj.end() ? null_value : *it;
}

const json& object_at(const json& obj, const std::string& path, const char* key) {
  const json& j = member(obj, key);
  if (!j.is_object())
    bad(path + "." + key, "an object", j);
  return j;
}

/// Reads the fields named by for_each_*_field; a missing key reads as null (absent).
struct FieldReader {
  const json& obj;
  const Path& path;
  template <class T> void operator()(const char* name, std::optional<T>& out) const {
    const json& j = member(obj, name);
    if (j.is_null())
      out.reset();
    else
      out = read_as<T>(j, Path(path, name));
  }
};

Unavailable read_unavailable(const json& obj, const std::string& path) {
  const json& j = member(obj, "unavailable");
  Unavailable out;
  if (j.is_null())
    return out;
  if (!j.is_object())
    bad(path + ".unavailable", "an object of field: reason", j);
  for (const auto& [k, v] : j.items())
    out[k] = read_as<std::string>(v, path + ".unavailable." + k);
  return out;
}

NvLinkPeer read_nvlink(const json& j, const Path& path) {
  if (!j.is_object())
    bad(path, "an object", j);
  NvLinkPeer p;
  p.link = read_as<int>(member(j, "link"), Path(path, "link"));
  p.active = read_as<bool>(member(j, "active"), Path(path, "active"));
  const json& remote = member(j, "remote_pci_bus_id");
  if (!remote.is_null())
    p.remote_pci_bus_id = read_as<std::string>(remote, Path(path, "remote_pci_bus_id"));
  const json& type = member(j, "remote_type");
  p.remote_type =
      type.is_null() ? "unknown" : read_as<std::string>(type, Path(path, "remote_type"));
  return p;
}

} // namespace

json to_json(const Inventory& inv) {
  json node = json::object();
  for_each_node_field(inv.node, [&](const char* name, const auto& f) { node[name] = opt_json(f); });
  node["unavailable"] = inv.node.unavailable;

  json gpus = json::array();
  for (const auto& g : inv.gpus) {
    json j = {{"index", g.index}};
    for_each_gpu_field(g, [&](const char* name, const auto& f) { j[name] = opt_json(f); });
    j["nvlinks"] = json::array();
    for (const auto& p : g.nvlinks)
      j["nvlinks"].push_back(nvlink_json(p));
    j["unavailable"] = g.unavailable;
    gpus.push_back(std::move(j));
  }
  return {{"schema", kInventorySchema},
          {"simulated", inv.simulated},
          {"sim_node", inv.sim_node.empty() ? json(nullptr) : json(inv.sim_node)},
          {"sim_faults", inv.sim_faults},
          {"collected_at", inv.collected_at},
          {"node", std::move(node)},
          {"gpus", std::move(gpus)}};
}

Inventory inventory_from_json(const json& j) {
  const std::string root = "inventory";
  if (!j.is_object())
    bad(root, "an object", j);
  const json& schema = member(j, "schema");
  if (read_as<std::string>(schema, root + ".schema") != kInventorySchema)
    throw InputError(fmt::format("inventory: schema \"{}\" is not {}", schema.get<std::string>(),
                                 kInventorySchema));
  Inventory inv;
  inv.simulated = read_as<bool>(member(j, "simulated"), root + ".simulated");
  if (const json& s = member(j, "sim_node"); !s.is_null())
    inv.sim_node = read_as<std::string>(s, root + ".sim_node");
  if (const json& s = member(j, "sim_faults"); !s.is_null())
    inv.sim_faults = read_as<std::vector<std::string>>(s, root + ".sim_faults");
  if (const json& s = member(j, "collected_at"); !s.is_null())
    inv.collected_at = read_as<std::string>(s, root + ".collected_at");

  const std::string node_path = root + ".node";
  const json& node = object_at(j, root, "node");
  for_each_node_field(inv.node, FieldReader{node, node_path});
  inv.node.unavailable = read_unavailable(node, node_path);

  const json& gpus = member(j, "gpus");
  if (!gpus.is_array())
    bad(root + ".gpus", "an array", gpus);
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    const std::string path = fmt::format("{}.gpus[{}]", root, i);
    const json& gj = gpus[i];
    if (!gj.is_object())
      bad(path, "an object", gj);
    GpuInfo g;
    g.index = read_as<int>(member(gj, "index"), path + ".index");
    static_assert(kMaxGpus == 1024, "the message below names the range");
    if (g.index < 0 || g.index >= kMaxGpus)
      bad(path + ".index", "a GPU index from 0 to 1023", member(gj, "index"));
    for_each_gpu_field(g, FieldReader{gj, path});
    if (const json& links = member(gj, "nvlinks"); !links.is_null()) {
      if (!links.is_array())
        bad(path + ".nvlinks", "an array", links);
      const Path gpu_path(path);
      const Path links_path(gpu_path, "nvlinks");
      g.nvlinks.reserve(links.size());
      for (std::size_t l = 0; l < links.size(); ++l)
        g.nvlinks.push_back(read_nvlink(links[l], Path(links_path, l)));
    }
    g.unavailable = read_unavailable(gj, path);
    inv.gpus.push_back(std::move(g));
  }
  return inv;
}

} // namespace gpucert
