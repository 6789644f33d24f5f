// sdf_bench: how SDF parsing and validation time grows with the system.
//
// Generates system descriptions in memory, in two families:
//   pds/N  N protection domains (10, 63, 500), each with two private memory
//          regions and one shared one mapped, and a ring of channels;
//   mrs/N  N memory regions (1,000 and 10,000) spread over 10 protection
//          domains, each mapped once;
// and times sdf::parse, sdf::validate and both together, for the host board
// (whose limits allow hundreds of PDs). After the usual table it prints, per
// family and phase, time(N)/time(N0) divided by N/N0: about 1 means linear
// growth, clearly above 1 means worse (CPU time, which a busy machine
// disturbs less than wall time). Nothing here asserts on time.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "board/board.h"
#include "sdf/parse.h"
#include "sdf/validate.h"
#include "support/text.h"

namespace {

using namespace microkit;


// N PDs in a ring: PD i notifies PD i+1 (its id 0; the peer's id 1).
std::string pd_system(size_t n) {
  std::string s = "<?xml version=\"1.0\"?>\n<system>\n";
  s += "  <memory_region name=\"shared\" size=\"0x1000\" />\n";
  for (size_t i = 0; i < n; ++i) {
    std::string pd = "pd" + std::to_string(i);
    s += "  <memory_region name=\"" + pd + "_a\" size=\"0x1000\" />\n";
    s += "  <memory_region name=\"" + pd + "_b\" size=\"0x2000\" />\n";
  }
  for (size_t i = 0; i < n; ++i) {
    std::string pd = "pd" + std::to_string(i);
    s += "  <protection_domain name=\"" + pd + "\" priority=\"" + std::to_string(1 + i % 250) +
         "\">\n    <program_image path=\"" + pd + ".elf\" />\n";
    s += "    <map mr=\"" + pd + "_a\" vaddr=\"0x2000000\" perms=\"rw\" />\n";
    s += "    <map mr=\"" + pd + "_b\" vaddr=\"0x2100000\" perms=\"r\" />\n";
    s += "    <map mr=\"shared\" vaddr=\"0x3000000\" perms=\"rw\" cached=\"false\" />\n";
    s += "  </protection_domain>\n";
  }
  for (size_t i = 0; n > 1 && i < n; ++i)
    s += "  <channel><end pd=\"pd" + std::to_string(i) + "\" id=\"0\" /><end pd=\"pd" +
         std::to_string((i + 1) % n) + "\" id=\"1\" /></channel>\n";
  return s + "</system>\n";
}

// N MRs over 10 PDs: MR k is mapped by PD k % 10, one page after another.
std::string mr_system(size_t n) {
  constexpr size_t kPds = 10;
  std::string s = "<?xml version=\"1.0\"?>\n<system>\n";
  for (size_t k = 0; k < n; ++k)
    s += "  <memory_region name=\"mr" + std::to_string(k) + "\" size=\"0x1000\" />\n";
  for (size_t p = 0; p < kPds; ++p) {
    s += "  <protection_domain name=\"pd" + std::to_string(p) + "\" priority=\"" +
         std::to_string(10 + p) + "\">\n    <program_image path=\"pd.elf\" />\n";
    for (size_t k = p; k < n; k += kPds)
      s += "    <map mr=\"mr" + std::to_string(k) + "\" vaddr=\"" +
           hex(0x10000000 + (k / kPds) * 0x1000) + "\" perms=\"rw\" />\n";
    s += "  </protection_domain>\n";
  }
  return s + "</system>\n";
}

struct Target {
  board::Board board;
  board::Config config;
};

const Target* host_target() {
  static const std::optional<Target> target = []() -> std::optional<Target> {
    Diagnostics diags;
    auto db = board::load_boards(std::string(MICROKIT_SOURCE_DIR) + "/boards", diags);
    const board::Board* b = db.find("host");
    if (!b || b->configs.empty()) return std::nullopt;
    const board::Config* c = b->find_config("debug");
    return Target{*b, c ? *c : b->configs.front()};
  }();
  return target ? &*target : nullptr;
}

// The first error, rendered, or "" when `diags` has none.
std::string first_error(const Diagnostics& diags, std::string_view text) {
  for (const auto& d : diags.all())
    if (d.severity == Severity::Error) return render(d, text);
  return {};
}

enum class Phase { Parse, Validate, Both };

void run_phase(benchmark::State& state, std::string (*generate)(size_t), Phase phase) {
  const size_t n = static_cast<size_t>(state.range(0));
  const Target* target = host_target();
  if (!target) return state.SkipWithError("boards/host.json could not be loaded");
  const std::string text = generate(n);
  Diagnostics setup;
  auto parsed = sdf::parse(text, "bench.system", setup);
  if (parsed) sdf::validate(*parsed, target->board, target->config, setup);
  if (!parsed || setup.has_errors()) {
    std::string error = "the generated SDF is not valid: " + first_error(setup, text);
    return state.SkipWithError(error.c_str());
  }
  for (auto _ : state) {
    Diagnostics diags;
    if (phase != Phase::Validate) {
      auto sd = sdf::parse(text, "bench.system", diags);
      benchmark::DoNotOptimize(sd);
      if (phase == Phase::Both) sdf::validate(*sd, target->board, target->config, diags);
    } else {
      sdf::validate(*parsed, target->board, target->config, diags);
    }
    benchmark::DoNotOptimize(diags);
  }
  state.counters["elements"] = static_cast<double>(n);
  state.counters["per_element"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate |
                                                     benchmark::Counter::kInvert);
  state.counters["sdf_bytes"] = static_cast<double>(text.size());
}

// The console table, then the linearity summary from the same runs.
class LinearityReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      std::string name = run.benchmark_name();  // "family/phase/N"
      size_t slash = name.rfind('/');
      if (slash == std::string::npos) continue;
      double n = std::stod(name.substr(slash + 1));
      auto& sample = series_[name.substr(0, slash)][n];
      sample.total += run.GetAdjustedCPUTime();  // CPU time: steadier on a shared machine
      sample.count += 1;
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\nGrowth: (time(N) / time(N0)) / (N / N0), N0 the smallest size; ~1 is linear\n");
    std::printf("%-26s %8s %14s %10s %10s %8s\n", "series", "N", "cpu/iter(us)", "t/t0", "N/N0",
                "ratio");
    for (const auto& [series, samples] : series_) {
      if (samples.empty()) continue;
      const auto& [n0, first] = *samples.begin();
      double t0 = first.total / first.count;
      for (const auto& [n, sample] : samples) {
        double t = sample.total / sample.count;
        std::printf("%-26s %8.0f %14.1f %10.2f %10.2f %8.2f\n", series.c_str(), n, t, t / t0,
                    n / n0, (t / t0) / (n / n0));
      }
    }
  }

 private:
  struct Sample {
    double total = 0;
    int count = 0;
  };
  std::map<std::string, std::map<double, Sample>> series_;  // series -> N -> time
};

void register_family(const char* family, std::string (*generate)(size_t),
                     const std::vector<int64_t>& sizes) {
  const std::pair<const char*, Phase> phases[] = {
      {"parse", Phase::Parse}, {"validate", Phase::Validate}, {"parse+validate", Phase::Both}};
  for (const auto& [phase_name, phase] : phases) {
    std::string name = std::string(family) + "/" + phase_name;
    auto* b = benchmark::RegisterBenchmark(name.c_str(), run_phase, generate, phase);
    for (int64_t n : sizes) b->Arg(n);
    b->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_family("pds", pd_system, {10, 63, 500});
  register_family("mrs", mr_system, {1000, 10000});
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  LinearityReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
