// A small JSON Schema (draft-07 subset) checker for tests: the keywords
// reports/schema/certificate.schema.json uses (type, const, enum, required, properties,
// additionalProperties, propertyNames, items, minItems, minimum/maximum and their exclusive
// forms, minLength, pattern, oneOf, $ref to #/definitions). Returns every violation found.
#pragma once

#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

namespace gpucert::test {

class SchemaCheck {
public:
  explicit SchemaCheck(nlohmann::json schema) : root_(std::move(schema)) {}

  std::vector<std::string> errors(const nlohmann::json& doc) const {
    std::vector<std::string> out;
    check(root_, doc, "$", out);
    return out;
  }

private:
  const nlohmann::json& resolve(const nlohmann::json& s) const {
    if (s.is_object() && s.contains("$ref")) {
      const std::string ref = s["$ref"];
      const std::string prefix = "#/definitions/";
      if (ref.rfind(prefix, 0) != 0)
        throw std::runtime_error("unsupported $ref " + ref);
      return resolve(root_.at("definitions").at(ref.substr(prefix.size())));
    }
    return s;
  }

  static bool type_is(const nlohmann::json& v, const std::string& t) {
    if (t == "object")
      return v.is_object();
    if (t == "array")
      return v.is_array();
    if (t == "string")
      return v.is_string();
    if (t == "number")
      return v.is_number();
    if (t == "integer")
      return v.is_number_integer() ||
             (v.is_number_float() && v.get<double>() == (long long)v.get<double>());
    if (t == "boolean")
      return v.is_boolean();
    if (t == "null")
      return v.is_null();
    throw std::runtime_error("unknown type " + t);
  }

  void check(const nlohmann::json& schema_in, const nlohmann::json& v, const std::string& path,
             std::vector<std::string>& out) const {
    const nlohmann::json& s = resolve(schema_in);
    if (s.contains("type")) {
      bool ok = false;
      if (s["type"].is_array()) {
        for (const auto& t : s["type"])
          ok = ok || type_is(v, t);
      } else {
        ok = type_is(v, s["type"]);
      }
      if (!ok) {
        out.push_back(path + ": expected type " + s["type"].dump() + ", got " +
                      v.dump().substr(0, 60));
        return;
      }
    }
    if (s.contains("const") && v != s["const"])
      out.push_back(path + ": expected " + s["const"].dump());
    if (s.contains("enum")) {
      bool found = false;
      for (const auto& e : s["enum"])
        found = found || e == v;
      if (!found)
        out.push_back(path + ": " + v.dump() + " not in " + s["enum"].dump());
    }
    if (s.contains("oneOf")) {
      int matches = 0;
      for (const auto& alt : s["oneOf"]) {
        std::vector<std::string> sub;
        check(alt, v, path, sub);
        matches += sub.empty();
      }
      if (matches != 1)
        out.push_back(path + ": matches " + std::to_string(matches) + " of oneOf");
    }
    if (v.is_number()) {
      const double d = v.get<double>();
      if (s.contains("minimum") && d < s["minimum"].get<double>())
        out.push_back(path + ": below minimum");
      if (s.contains("maximum") && d > s["maximum"].get<double>())
        out.push_back(path + ": above maximum");
      if (s.contains("exclusiveMinimum") && d <= s["exclusiveMinimum"].get<double>())
        out.push_back(path + ": not above exclusiveMinimum");
      if (s.contains("exclusiveMaximum") && d >= s["exclusiveMaximum"].get<double>())
        out.push_back(path + ": not below exclusiveMaximum");
    }
    if (v.is_string()) {
      const std::string str = v;
      if (s.contains("minLength") && str.size() < s["minLength"].get<std::size_t>())
        out.push_back(path + ": too short");
      if (s.contains("pattern") &&
          !std::regex_search(str, std::regex(s["pattern"].get<std::string>())))
        out.push_back(path + ": '" + str + "' does not match " + s["pattern"].get<std::string>());
    }
    if (v.is_array()) {
      if (s.contains("minItems") && v.size() < s["minItems"].get<std::size_t>())
        out.push_back(path + ": too few items");
      if (s.contains("items"))
        for (std::size_t i = 0; i < v.size(); ++i)
          check(s["items"], v[i], path + "[" + std::to_string(i) + "]", out);
    }
    if (v.is_object()) {
      if (s.contains("required"))
        for (const auto& r : s["required"])
          if (!v.contains(r.get<std::string>()))
            out.push_back(path + ": missing required '" + r.get<std::string>() + "'");
      for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string child = path + "." + it.key();
        if (s.contains("propertyNames"))
          check(s["propertyNames"], it.key(), child + "(name)", out);
        if (s.contains("properties") && s["properties"].contains(it.key())) {
          check(s["properties"][it.key()], it.value(), child, out);
        } else if (s.contains("additionalProperties")) {
          const auto& ap = s["additionalProperties"];
          if (ap.is_boolean()) {
            if (!ap.get<bool>())
              out.push_back(child + ": property not allowed by the schema");
          } else {
            check(ap, it.value(), child, out);
          }
        }
      }
    }
  }

  nlohmann::json root_;
};

} // namespace gpucert::test
