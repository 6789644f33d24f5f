// HeaderDefines: the integer #defines of a set of C headers, as a C
// preprocessor would see them for one configuration.
//
// A kernel package ships seL4's object sizes only as libsel4 headers
// (seL4_TCBBits, seL4_UserTop, ...), several of them chosen by #if on the
// build's CONFIG_ macros. This is the small part of a preprocessor needed to
// read them: #if/#ifdef/#ifndef/#elif/#else/#endif with defined(), integer
// arithmetic, comparisons and logic; object-like #define and #undef; line
// continuations and comments. #include is not followed: the caller scans the
// files it needs in order (the gen_config.h files first, so that CONFIG_
// macros are known when the constants headers test them). A macro whose body
// is not an integer expression (a cast, a function-like macro) has no value.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace microkit::kernel {

class HeaderDefines {
 public:
  // Records the #defines on the active lines of `text`. Returns false when
  // the conditionals do not nest (an #endif too many or too few).
  bool scan(std::string_view text);

  void define(std::string name, std::string body) { defines_[std::move(name)] = std::move(body); }
  bool defined(std::string_view name) const { return defines_.count(std::string(name)) != 0; }
  // The value of macro `name`, when its body is an integer expression whose
  // identifiers are all macros with values.
  std::optional<uint64_t> value(std::string_view name) const;
  // Evaluates a #if expression (undefined identifiers count as 0).
  std::optional<int64_t> evaluate_condition(std::string_view expr) const;

 private:
  friend class Evaluator;
  std::optional<int64_t> evaluate(std::string_view expr, bool conditional, int depth) const;
  std::optional<int64_t> evaluate_body(std::string_view name, bool conditional, int depth) const;

  std::map<std::string, std::string, std::less<>> defines_;
};

}  // namespace microkit::kernel
