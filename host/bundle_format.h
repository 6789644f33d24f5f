// bundle_format.h: the host bundle, the one format the tool (tool/host/)
// writes and the launcher (host/) reads. Header-only so both sides share
// one definition.
//
// A bundle is what the launcher needs from a Plan, already decided: every PD
// (priority, passive, stack, parent and child id, program path, mappings,
// channel table, setvar patches with resolved link-time addresses and
// values) and every MR (size, physical address: fixed, or a fake but stable
// one the tool chose, prefill file). Text, one record per line, fields
// separated by single spaces, strings percent-encoded so they hold no space
// or newline. The first line is "microkit-host-bundle <version>"; readers
// refuse any other version. Any change of meaning bumps kBundleVersion.
#pragma once

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace microkit::host_bundle {

inline constexpr int kBundleVersion = 2;

struct Map {
  uint64_t mr = 0, vaddr = 0, size = 0;
  bool r = true, w = true, x = false, cached = true;
};

struct Channel {  // one used slot of a channel table
  uint64_t id = 0;
  bool irq = false;
  // channel
  uint64_t peer = 0, peer_id = 0;
  bool notify = false, pp = false, receives_pp = false;
  // irq
  uint64_t irq_number = 0;
  bool edge = false;
};

struct Patch {
  std::string symbol;
  uint64_t vaddr = 0, size = 8, value = 0;
};

struct Pd {
  std::string name;
  uint64_t priority = 0;
  bool passive = false;
  uint64_t budget_us = 1000, period_us = 1000;  // the scheduling context
  uint64_t stack_size = 0x2000;
  std::optional<uint64_t> parent;
  uint64_t child_id = 0;
  std::string program;
  std::vector<Map> maps;
  std::vector<Channel> channels;
  std::vector<Patch> patches;
  bool crash_dump = false;  // crash_dump="...": a fault without a parent writes <name>.core
};

struct Mr {
  std::string name;
  uint64_t size = 0, page_size = 0x1000, paddr = 0;
  std::string prefill;  // file path; empty: none
};

struct Bundle {
  std::string system;  // the SDF path, for messages
  std::vector<Pd> pds;
  std::vector<Mr> mrs;
};

inline std::string encode(const std::string& s) {
  if (s.empty()) return "%";
  std::string out;
  const char* hex = "0123456789abcdef";
  for (unsigned char c : s) {
    if (c <= ' ' || c == '%' || c >= 0x7f) {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += (char)c;
    }
  }
  return out;
}

inline std::string decode(const std::string& s) {
  if (s == "%") return {};
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += (char)std::stoi(s.substr(i + 1, 2), nullptr, 16);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

inline std::string write(const Bundle& b) {
  std::ostringstream o;
  o << "microkit-host-bundle " << kBundleVersion << "\n";
  o << "system " << encode(b.system) << "\n";
  for (const auto& m : b.mrs)
    o << "mr " << encode(m.name) << ' ' << m.size << ' ' << m.page_size << ' ' << m.paddr << ' '
      << encode(m.prefill) << "\n";
  for (const auto& p : b.pds) {
    o << "pd " << encode(p.name) << ' ' << p.priority << ' ' << p.passive << ' ' << p.stack_size
      << ' ' << (p.parent ? (int64_t)*p.parent : -1) << ' ' << p.child_id << ' '
      << encode(p.program) << ' ' << p.budget_us << ' ' << p.period_us << "\n";
    if (p.crash_dump) o << "crash_dump\n";
    for (const auto& m : p.maps)
      o << "map " << m.mr << ' ' << m.vaddr << ' ' << m.size << ' ' << m.r << m.w << m.x << ' '
        << m.cached << "\n";
    for (const auto& c : p.channels) {
      if (c.irq)
        o << "irq " << c.id << ' ' << c.irq_number << ' ' << c.edge << "\n";
      else
        o << "ch " << c.id << ' ' << c.peer << ' ' << c.peer_id << ' ' << c.notify << c.pp
          << c.receives_pp << "\n";
    }
    for (const auto& s : p.patches)
      o << "patch " << encode(s.symbol) << ' ' << s.vaddr << ' ' << s.size << ' ' << s.value
        << "\n";
  }
  o << "end\n";
  return o.str();
}

// Parses a bundle; on error returns nullopt and sets `error` (with the line).
inline std::optional<Bundle> read(const std::string& text, std::string& error) {
  std::istringstream in(text);
  std::string line;
  Bundle b;
  int n = 0;
  auto fail = [&](const std::string& what) {
    error = "bundle line " + std::to_string(n) + ": " + what;
    return std::nullopt;
  };
  while (std::getline(in, line)) {
    ++n;
    std::istringstream l(line);
    std::string kind, s1, s2;
    l >> kind;
    if (n == 1) {
      int v = 0;
      if (kind != "microkit-host-bundle" || !(l >> v) || v != kBundleVersion)
        return fail("not a host bundle of version " + std::to_string(kBundleVersion));
      continue;
    }
    if (kind == "system") {
      l >> s1;
      b.system = decode(s1);
    } else if (kind == "mr") {
      Mr m;
      l >> s1 >> m.size >> m.page_size >> m.paddr >> s2;
      m.name = decode(s1);
      m.prefill = decode(s2);
      b.mrs.push_back(m);
    } else if (kind == "pd") {
      Pd p;
      int64_t parent = -1;
      l >> s1 >> p.priority >> p.passive >> p.stack_size >> parent >> p.child_id >> s2 >>
          p.budget_us >> p.period_us;
      p.name = decode(s1);
      p.program = decode(s2);
      if (parent >= 0) p.parent = (uint64_t)parent;
      b.pds.push_back(p);
    } else if (kind == "crash_dump") {
      if (b.pds.empty()) return fail("crash_dump before any pd");
      b.pds.back().crash_dump = true;
    } else if (kind == "map" || kind == "irq" || kind == "ch" || kind == "patch") {
      if (b.pds.empty()) return fail(kind + " before any pd");
      Pd& p = b.pds.back();
      if (kind == "map") {
        Map m;
        std::string rwx;
        l >> m.mr >> m.vaddr >> m.size >> rwx >> m.cached;
        if (rwx.size() != 3) return fail("bad rights");
        m.r = rwx[0] == '1', m.w = rwx[1] == '1', m.x = rwx[2] == '1';
        if (m.mr >= b.mrs.size()) return fail("map of an unknown mr");
        p.maps.push_back(m);
      } else if (kind == "irq") {
        Channel c;
        c.irq = true;
        l >> c.id >> c.irq_number >> c.edge;
        p.channels.push_back(c);
      } else if (kind == "ch") {
        Channel c;
        std::string flags;
        l >> c.id >> c.peer >> c.peer_id >> flags;
        if (flags.size() != 3) return fail("bad channel flags");
        c.notify = flags[0] == '1', c.pp = flags[1] == '1', c.receives_pp = flags[2] == '1';
        p.channels.push_back(c);
      } else {
        Patch s;
        l >> s1 >> s.vaddr >> s.size >> s.value;
        s.symbol = decode(s1);
        p.patches.push_back(s);
      }
    } else if (kind == "end") {
      for (const auto& p : b.pds) {
        if (p.parent && *p.parent >= b.pds.size()) return fail("bad parent");
        for (const auto& c : p.channels)
          if (!c.irq && c.peer >= b.pds.size()) return fail("bad channel peer");
      }
      return b;
    } else if (!kind.empty()) {
      return fail("unknown record '" + kind + "'");
    }
    if (l.fail()) return fail("malformed record");
  }
  return fail("truncated (no 'end' line)");
}

}  // namespace microkit::host_bundle
