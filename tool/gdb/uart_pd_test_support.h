// Test support (not part of the tool): what the tests of the tool-added UART
// PDs (the GDB stub, the seL4 profiler; uart_pd.h) start from: the
// qemu_virt_aarch64 board with its PL011's loader facts, a parsed <system>
// body, and the ids of the errors a refusal reported.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "board/board.h"
#include "plan/sel4_test_world.h"
#include "sdf/parse.h"
#include "support/diagnostics.h"

namespace microkit::uart_pd_test_support {

inline board::Board qemu_board() {
  board::Board b = plan::test_support::test_aarch64_board();
  b.loader = board::LoaderFacts{"pl011", 0x9000000, 0xc0000000, 0x8000000, 0x8010000};
  return b;
}

// `body`: the elements inside <system>; an empty description (and a failed
// expectation) when it does not parse.
inline sdf::SystemDescription parse(const std::string& body) {
  Diagnostics d;
  auto sd = sdf::parse("<system>" + body + "</system>", "test.system", d);
  EXPECT_TRUE(sd) << (d.all().empty() ? "" : d.all()[0].message);
  return sd ? *sd : sdf::SystemDescription{};
}

inline std::vector<std::string> error_ids(const Diagnostics& d) {
  std::vector<std::string> ids;
  for (const auto& e : d.all()) ids.push_back(e.id);
  return ids;
}

}  // namespace microkit::uart_pd_test_support
