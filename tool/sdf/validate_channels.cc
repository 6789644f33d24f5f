// Channel rules: ends, ids (shared with interrupts), protected procedures.
#include <algorithm>
#include <unordered_map>

#include "sdf/validate_context.h"

namespace microkit::sdf::detail {

namespace {

struct IdUse {
  uint64_t id;
  Loc loc;
  const char* what;  // "channel" or "irq"
};

void check_id_range(Context& cx, uint64_t id, Loc loc, const char* what) {
  if (id <= cx.limits.max_channel_id) return;
  cx.error("channel-id-too-high", loc,
           std::string(what) + " id " + std::to_string(id) + " is above the maximum " +
               std::to_string(cx.limits.max_channel_id),
           "use an id between 0 and " + std::to_string(cx.limits.max_channel_id));
}

// Channel ends and interrupts of one PD draw from one id space (both arrive
// through `notified`), so a clash between any two of them is an error.
void check_ids_unique(Context& cx, const ProtectionDomain& pd, std::vector<IdUse> uses) {
  std::stable_sort(uses.begin(), uses.end(),
                   [](const IdUse& a, const IdUse& b) { return before(a.loc, b.loc); });
  std::unordered_map<uint64_t, const IdUse*> first;
  for (const IdUse& use : uses) {
    auto [it, inserted] = first.emplace(use.id, &use);
    if (inserted) continue;
    cx.error("duplicate-channel-id", use.loc,
             "protection domain '" + pd.name + "' already uses id " + std::to_string(use.id) +
                 " (for its " + it->second->what + ")",
             "give each channel and irq of '" + pd.name + "' its own id");
    cx.note(it->second->loc, std::string("the ") + it->second->what + " that uses id " +
                                 std::to_string(use.id) + " first");
  }
}

void check_ids(Context& cx) {
  const auto& sd = cx.sd;
  std::vector<std::vector<IdUse>> uses(sd.pds.size());
  for (size_t i = 0; i < sd.pds.size(); ++i) {
    for (const auto& irq : sd.pds[i].irqs) {
      check_id_range(cx, irq.id, irq.at("id"), "irq");
      uses[i].push_back({irq.id, irq.at("id"), "irq"});
    }
  }
  for (const auto& ch : sd.channels) {
    for (const ChannelEnd* end : {&ch.a, &ch.b}) {
      check_id_range(cx, end->id, end->at("id"), "channel");
      auto it = cx.pd_index.find(end->pd);
      if (it != cx.pd_index.end()) uses[it->second].push_back({end->id, end->at("id"), "channel"});
    }
  }
  for (size_t i = 0; i < sd.pds.size(); ++i) check_ids_unique(cx, sd.pds[i], std::move(uses[i]));
}

// `caller` may call `callee` through this channel.
void check_pp(Context& cx, const ChannelEnd& end, const ProtectionDomain& caller,
              const ProtectionDomain& callee) {
  if (callee.priority <= caller.priority) {
    cx.error("pp-to-lower-priority", end.at("pp"),
             "'" + caller.name + "' (priority " + std::to_string(caller.priority) +
                 ") may call '" + callee.name + "' (priority " + std::to_string(callee.priority) +
                 "), but a protected procedure call must go to a strictly higher priority",
             "raise the priority of '" + callee.name + "' above " +
                 std::to_string(caller.priority) + ", or remove pp");
  }
  // Without a hypervisor the VM itself is already an error (vm-not-supported).
  if (cx.x86() && cx.board.hypervisor && callee.vm) {
    cx.error("x86-pp-to-vm-pd", end.at("pp"),
             "on x86-64 a protection domain with a virtual machine ('" + callee.name +
                 "') cannot receive protected procedure calls",
             "use notifications with shared memory instead of pp");
  }
}

void check_channel(Context& cx, const Channel& ch) {
  const ProtectionDomain* pds[2] = {nullptr, nullptr};
  const ChannelEnd* ends[2] = {&ch.a, &ch.b};
  for (int i = 0; i < 2; ++i) {
    pds[i] = cx.pd(ends[i]->pd);
    if (pds[i]) continue;
    cx.error("unknown-pd", ends[i]->at("pd"),
             "no protection domain is named '" + ends[i]->pd + "'" + cx.suggest_pd(ends[i]->pd),
             "name one of the system's protection domains");
  }
  if (pds[0] && pds[0] == pds[1]) {
    cx.error("channel-to-self", ch.b.at("pd"),
             "both ends of the channel are '" + ch.a.pd + "'",
             "connect two different protection domains");
    return;
  }
  if (ch.a.pp && ch.b.pp) {
    cx.error("bidirectional-pp", ch.b.at("pp"),
             "both ends of the channel have pp=\"true\"; calls can go one way only",
             "keep pp on the end of the lower-priority caller");
  } else if (pds[0] && pds[1]) {
    if (ch.a.pp) check_pp(cx, ch.a, *pds[0], *pds[1]);
    if (ch.b.pp) check_pp(cx, ch.b, *pds[1], *pds[0]);
  }
  if (!ch.a.notify && !ch.b.notify && !ch.a.pp && !ch.b.pp) {
    cx.warning("useless-channel", ch.loc,
               "this channel can neither notify nor call in either direction",
               "set notify=\"true\" or pp=\"true\" on an end, or remove the channel");
  }
}

}  // namespace

void check_channels(Context& cx) {
  check_ids(cx);
  for (const auto& ch : cx.sd.channels) check_channel(cx, ch);
}

}  // namespace microkit::sdf::detail
