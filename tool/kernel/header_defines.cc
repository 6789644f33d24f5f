#include "kernel/header_defines.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <vector>

namespace microkit::kernel {

namespace {

// Joins continuation lines and replaces comments with a space.
std::string clean(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    // Copy the run up to the next character that may start a comment or a
    // continuation in one go (the headers are mostly such runs).
    size_t special = std::min(text.find_first_of("\\/", i), text.size());
    out.append(text.substr(i, special - i));
    i = special;
    if (i == text.size()) break;
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;
      continue;
    }
    if (text.substr(i, 2) == "/*") {
      size_t end = text.find("*/", i + 2);
      // Keep the newlines a comment spans so that lines stay lines.
      for (size_t j = i; j < std::min(end, text.size()); ++j)
        if (text[j] == '\n') out += '\n';
      out += ' ';
      if (end == std::string_view::npos) break;
      i = end + 1;
      continue;
    }
    if (text.substr(i, 2) == "//") {
      size_t end = text.find('\n', i);
      if (end == std::string_view::npos) break;
      i = end - 1;
      continue;
    }
    out += text[i];
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Splits "word rest" at the first non-identifier character.
std::pair<std::string_view, std::string_view> split_word(std::string_view s) {
  s = trim(s);
  size_t n = 0;
  while (n < s.size() && ident_char(s[n])) ++n;
  return {s.substr(0, n), trim(s.substr(n))};
}

enum class Tok { Number, Ident, Op, End };

struct Token {
  Tok kind = Tok::End;
  std::string text;
  uint64_t number = 0;
};

std::optional<std::vector<Token>> tokenize(std::string_view s) {
  static const char* const kOps[] = {"<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "(", ")",
                                     "!",  "~",  "*",  "/",  "%",  "+",  "-",  "<",  ">", "&",
                                     "^",  "|",  "?",  ":"};
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) { ++i; continue; }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t start = i;
      while (i < s.size() && ident_char(s[i])) ++i;
      std::string lit(s.substr(start, i - start));
      while (!lit.empty() && (lit.back() == 'u' || lit.back() == 'U' || lit.back() == 'l' ||
                              lit.back() == 'L'))
        lit.pop_back();
      if (lit.empty()) return std::nullopt;
      errno = 0;
      char* endp = nullptr;
      uint64_t n = std::strtoull(lit.c_str(), &endp, 0);  // 0x.., 0.. and decimal, as in C
      if (errno != 0 || endp != lit.c_str() + lit.size()) return std::nullopt;
      out.push_back(Token{Tok::Number, lit, n});
      continue;
    }
    if (ident_char(c)) {
      size_t start = i;
      while (i < s.size() && ident_char(s[i])) ++i;
      out.push_back(Token{Tok::Ident, std::string(s.substr(start, i - start))});
      continue;
    }
    bool matched = false;
    for (const char* op : kOps) {
      std::string_view o(op);
      if (s.substr(i, o.size()) == o) {
        out.push_back(Token{Tok::Op, std::string(o)});
        i += o.size();
        matched = true;
        break;
      }
    }
    if (!matched) return std::nullopt;
  }
  return out;
}

}  // namespace

// Precedence climbing over the C operators #if allows. `conditional` makes
// unknown identifiers 0 (as in #if); otherwise they make the value unknown.
class Evaluator {
 public:
  Evaluator(const HeaderDefines& defs, std::vector<Token> tokens, bool conditional, int depth)
      : defs_(defs), toks_(std::move(tokens)), conditional_(conditional), depth_(depth) {}

  std::optional<int64_t> run() {
    int64_t v = ternary();
    if (!ok_ || pos_ != toks_.size()) return std::nullopt;
    return v;
  }

 private:
  const Token& peek() const {
    static const Token end;
    return pos_ < toks_.size() ? toks_[pos_] : end;
  }
  bool accept(std::string_view op) {
    if (peek().kind == Tok::Op && peek().text == op) { ++pos_; return true; }
    return false;
  }

  int64_t ternary() {
    int64_t c = binary(0);
    if (!accept("?")) return c;
    int64_t a = ternary();
    if (!accept(":")) ok_ = false;
    int64_t b = ternary();
    return c ? a : b;
  }

  static int precedence(std::string_view op) {
    static const std::pair<std::string_view, int> kTable[] = {
        {"||", 1}, {"&&", 2}, {"|", 3},  {"^", 4},  {"&", 5},  {"==", 6}, {"!=", 6},
        {"<", 7},  {">", 7},  {"<=", 7}, {">=", 7}, {"<<", 8}, {">>", 8}, {"+", 9},
        {"-", 9},  {"*", 10}, {"/", 10}, {"%", 10}};
    for (const auto& [o, p] : kTable)
      if (o == op) return p;
    return -1;
  }

  int64_t binary(int min_prec) {
    int64_t lhs = unary();
    while (ok_ && peek().kind == Tok::Op) {
      std::string op = peek().text;
      int prec = precedence(op);
      if (prec < 0 || prec < min_prec) break;
      ++pos_;
      int64_t rhs = binary(prec + 1);
      lhs = apply(op, lhs, rhs);
    }
    return lhs;
  }

  int64_t apply(const std::string& op, int64_t a, int64_t b) {
    uint64_t ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
    if (op == "||") return a || b;
    if (op == "&&") return a && b;
    if (op == "|") return static_cast<int64_t>(ua | ub);
    if (op == "^") return static_cast<int64_t>(ua ^ ub);
    if (op == "&") return static_cast<int64_t>(ua & ub);
    if (op == "==") return a == b;
    if (op == "!=") return a != b;
    if (op == "<") return a < b;
    if (op == ">") return a > b;
    if (op == "<=") return a <= b;
    if (op == ">=") return a >= b;
    if (op == "<<") return ub >= 64 ? 0 : static_cast<int64_t>(ua << ub);
    if (op == ">>") return ub >= 64 ? 0 : static_cast<int64_t>(ua >> ub);
    if (op == "+") return static_cast<int64_t>(ua + ub);
    if (op == "-") return static_cast<int64_t>(ua - ub);
    if (op == "*") return static_cast<int64_t>(ua * ub);
    if ((op == "/" || op == "%") && b == 0) { ok_ = false; return 0; }
    if (op == "/") return static_cast<int64_t>(ua / ub);
    return static_cast<int64_t>(ua % ub);
  }

  int64_t unary() {
    if (accept("!")) return !unary();
    if (accept("~")) return ~unary();
    if (accept("-")) return static_cast<int64_t>(0 - static_cast<uint64_t>(unary()));
    if (accept("+")) return unary();
    return primary();
  }

  int64_t primary() {
    if (accept("(")) {
      int64_t v = ternary();
      if (!accept(")")) ok_ = false;
      return v;
    }
    Token t = peek();
    ++pos_;
    if (t.kind == Tok::Number) return static_cast<int64_t>(t.number);
    if (t.kind != Tok::Ident) { ok_ = false; return 0; }
    if (t.text == "defined") return defined_operand();
    return identifier(t.text);
  }

  int64_t defined_operand() {
    bool paren = accept("(");
    if (peek().kind != Tok::Ident) { ok_ = false; return 0; }
    bool result = defs_.defined(peek().text);
    ++pos_;
    if (paren && !accept(")")) ok_ = false;
    return result;
  }

  int64_t identifier(const std::string& name) {
    if (peek().kind == Tok::Op && peek().text == "(") { ok_ = false; return 0; }  // a call
    if (!defs_.defined(name)) {
      if (!conditional_) ok_ = false;
      return 0;
    }
    auto v = defs_.evaluate_body(name, conditional_, depth_ + 1);
    if (!v) ok_ = false;
    return v.value_or(0);
  }

  const HeaderDefines& defs_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  bool conditional_;
  int depth_;
  bool ok_ = true;
};

std::optional<int64_t> HeaderDefines::evaluate_body(std::string_view name, bool conditional,
                                                     int depth) const {
  auto it = defines_.find(name);
  if (it == defines_.end() || depth > 32) return std::nullopt;  // 32: a cycle, not a real header
  if (trim(it->second).empty()) return conditional ? std::optional<int64_t>(0) : std::nullopt;
  return evaluate(it->second, conditional, depth);
}

std::optional<int64_t> HeaderDefines::evaluate(std::string_view expr, bool conditional,
                                               int depth) const {
  auto tokens = tokenize(expr);
  if (!tokens || tokens->empty()) return std::nullopt;
  return Evaluator(*this, std::move(*tokens), conditional, depth).run();
}

std::optional<uint64_t> HeaderDefines::value(std::string_view name) const {
  auto v = evaluate_body(name, /*conditional=*/false, 0);
  if (!v) return std::nullopt;
  return static_cast<uint64_t>(*v);
}

std::optional<int64_t> HeaderDefines::evaluate_condition(std::string_view expr) const {
  return evaluate(expr, /*conditional=*/true, 0);
}

namespace {

// One level of #if nesting.
struct Branch {
  bool outer_active;  // the enclosing level is active
  bool taken;         // some branch of this #if was taken already
  bool active;        // lines here count
};

}  // namespace

bool HeaderDefines::scan(std::string_view text) {
  std::string cleaned = clean(text);
  std::vector<Branch> stack;
  auto active = [&] { return stack.empty() || stack.back().active; };
  size_t start = 0;
  while (start <= cleaned.size()) {
    size_t end = cleaned.find('\n', start);
    if (end == std::string::npos) end = cleaned.size();
    std::string_view line = trim(std::string_view(cleaned).substr(start, end - start));
    start = end + 1;
    if (line.empty() || line.front() != '#') continue;
    auto [directive, rest] = split_word(line.substr(1));
    if (directive == "if" || directive == "ifdef" || directive == "ifndef") {
      bool outer = active();
      bool cond = false;
      if (outer) {
        if (directive == "if") cond = evaluate_condition(rest).value_or(0) != 0;
        else cond = defined(split_word(rest).first) == (directive == "ifdef");
      }
      stack.push_back(Branch{outer, cond, outer && cond});
    } else if (directive == "elif") {
      if (stack.empty()) return false;
      Branch& b = stack.back();
      bool cond = b.outer_active && !b.taken && evaluate_condition(rest).value_or(0) != 0;
      b.active = cond;
      b.taken = b.taken || cond;
    } else if (directive == "else") {
      if (stack.empty()) return false;
      Branch& b = stack.back();
      b.active = b.outer_active && !b.taken;
      b.taken = true;
    } else if (directive == "endif") {
      if (stack.empty()) return false;
      stack.pop_back();
    } else if (directive == "define" && active()) {
      auto [name, body] = split_word(rest);
      // A function-like macro has '(' straight after its name; skip those.
      bool function_like = rest.size() > name.size() && rest[name.size()] == '(';
      if (!name.empty() && !function_like) defines_[std::string(name)] = std::string(body);
    } else if (directive == "undef" && active()) {
      defines_.erase(std::string(split_word(rest).first));
    }
  }
  return stack.empty();
}

}  // namespace microkit::kernel
