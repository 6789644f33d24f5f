// Test support (not part of the tool): reading back the spec the tool
// writes for the initial task (runtime/shared/initialiser_spec.h): its
// steps, and a step as its kind's struct.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "runtime/shared/initialiser_spec.h"

namespace microkit::spec_test_support {

namespace is = initialiser_spec;

inline std::vector<is::Step> spec_steps(const std::vector<uint8_t>& spec) {
  is::SpecHeader h;
  std::memcpy(&h, spec.data(), sizeof h);
  std::vector<is::Step> steps(h.step_count);
  std::memcpy(steps.data(), spec.data() + h.step_offset, h.step_count * sizeof(is::Step));
  return steps;
}

// A step as the struct of its kind (each kind's struct overlays is::Step).
template <class T>
T as(const is::Step& s) {
  T t;
  std::memcpy(&t, &s, sizeof t);
  return t;
}

template <class T>
std::vector<T> steps_of(const std::vector<is::Step>& steps, is::StepKind kind) {
  std::vector<T> out;
  for (const is::Step& s : steps)
    if (s.kind == uint32_t(kind)) out.push_back(as<T>(s));
  return out;
}

}  // namespace microkit::spec_test_support
