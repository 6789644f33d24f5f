// capdl_shape: does our --capdl-json have the official tool's shape?
//
//   capdl_shape OURS.json OFFICIAL.json
//
// Reduces each file to its key paths, array positions folded and enum tags
// kept ("objects[].object.Tcb.extra.prio"), each with the JSON types seen
// there (null apart: the Option fields hold null or a value). Then, for
// every enum variant (a tag such as "Tcb" or "Endpoint") that occurs in
// both files, the paths below it must be the same and their non-null types
// must agree; the top-level fields must be the same. Variants only one
// system uses are listed, not compared. Exit 0 when the shapes agree, 1
// otherwise (each difference printed), 2 on unreadable input.
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

using Json = nlohmann::json;
using Shape = std::map<std::string, std::set<std::string>>;  // path -> types

namespace {

// Enum tags of rust-sel4's capDL types as serde writes them.
const std::set<std::string> kTags = {
    "Untyped", "Endpoint", "Notification", "CNode", "Tcb", "Irq", "VCpu", "Frame", "PageTable",
    "AsidPool", "ArmIrq", "ArmIrqHandler", "RiscvIrq", "RiscvIrqHandler", "IrqHandler", "SchedContext",
    "Reply", "ArmSmc",
    "Data", "ElfContent", "BytesContent", "Us", "Ticks"};

std::string type_of(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "bool";
  if (v.is_number()) return "number";
  if (v.is_string()) return kTags.count(v.get<std::string>()) ? "tag:" + v.get<std::string>() : "string";
  if (v.is_array()) return "array";
  return "object";
}

void walk(const Json& v, const std::string& path, Shape& shape) {
  shape[path].insert(type_of(v));
  if (v.is_array())
    for (const Json& e : v) walk(e, path + "[]", shape);
  if (v.is_object())
    for (auto it = v.begin(); it != v.end(); ++it) walk(it.value(), path + "." + it.key(), shape);
}

// The variant a path lies under: the path up to its last enum tag
// (".objects[].object.CNode.slots[].cap.Tcb"), "" for none. A cap variant
// and the object variant of the same name are different variants.
std::string variant_of(const std::string& path) {
  std::string found;
  size_t at = 0;
  while ((at = path.find('.', at)) != std::string::npos) {
    size_t end = path.find_first_of(".[", at + 1);
    std::string key = path.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
    if (kTags.count(key)) found = path.substr(0, end == std::string::npos ? path.size() : end);
    ++at;
  }
  return found;
}

std::set<std::string> variants(const Shape& s) {
  std::set<std::string> out;
  for (const auto& [path, types] : s)
    if (auto v = variant_of(path); !v.empty()) out.insert(v);
  return out;
}

std::set<std::string> non_null(const std::set<std::string>& types) {
  std::set<std::string> out;
  for (const auto& t : types)
    if (t != "null" && !t.starts_with("tag:")) out.insert(t);
  return out;
}

std::optional<Json> load(const char* path) {
  std::ifstream f(path);
  if (!f) return std::nullopt;
  Json j = Json::parse(std::string(std::istreambuf_iterator<char>(f), {}), nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: capdl_shape OURS.json OFFICIAL.json\n";
    return 2;
  }
  auto ours = load(argv[1]), official = load(argv[2]);
  if (!ours || !official) {
    std::cerr << "capdl_shape: cannot read both files as JSON\n";
    return 2;
  }
  Shape a, b;
  walk(*ours, "", a);
  walk(*official, "", b);
  int diffs = 0;
  auto report = [&](const std::string& what) {
    std::cout << "SHAPE: " << what << "\n";
    ++diffs;
  };
  std::set<std::string> top_a, top_b;
  for (auto it = ours->begin(); it != ours->end(); ++it) top_a.insert(it.key());
  for (auto it = official->begin(); it != official->end(); ++it) top_b.insert(it.key());
  if (top_a != top_b) report("the top-level fields differ");
  std::set<std::string> va = variants(a), vb = variants(b), common;
  for (const auto& v : va)
    if (vb.count(v)) common.insert(v);
  for (const auto& [path, types] : b) {
    std::string v = variant_of(path);
    if (!v.empty() && !common.count(v)) continue;
    if (!a.count(path)) {
      report("ours lacks " + path);
      continue;
    }
    auto ta = non_null(a.at(path)), tb = non_null(types);
    if (!ta.empty() && !tb.empty() && ta != tb) report(path + " has other types in ours");
  }
  // An array the official file has but leaves empty says nothing about its elements.
  auto under_empty_array = [&](const std::string& path) {
    for (size_t at = path.find("[]"); at != std::string::npos; at = path.find("[]", at + 2))
      if (b.count(path.substr(0, at)) && !b.count(path.substr(0, at + 2))) return true;
    return false;
  };
  for (const auto& [path, types] : a) {
    std::string v = variant_of(path);
    if ((!v.empty() && !common.count(v)) || under_empty_array(path)) continue;
    if (!b.count(path)) report("the official file has no " + path);
  }
  std::cout << "variants compared:";
  for (const auto& v : common) std::cout << " " << v;
  std::cout << "\nonly in ours:";
  for (const auto& v : va)
    if (!vb.count(v)) std::cout << " " << v;
  std::cout << "\nonly in the official file:";
  for (const auto& v : vb)
    if (!va.count(v)) std::cout << " " << v;
  std::cout << "\n";
  if (diffs) return 1;
  std::cout << "the shapes agree\n";
  return 0;
}
