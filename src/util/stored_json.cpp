#include "util/stored_json.hpp"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <cstring>
#include <string>

namespace kefir::stored_json {
namespace {

using error_code = boost::system::error_code;

// A basic_parser handler: top-level members go to the visitor as they are read; an array or object member is
// built on a value_stack (as boost::json's own parser builds a whole document) and handed over when it ends.
class MemberHandler {
 public:
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  explicit MemberHandler(const std::function<void(std::string_view, const Member&)>& visit) : visit_(visit) {}

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }

  bool on_object_begin(error_code& ec) {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    return begin_nested(ec);
  }
  bool on_object_end(std::size_t n, error_code&) {
    if (depth_ == 1) {
      depth_ = 0;
      return true;
    }
    nested_.push_object(n);
    return end_nested();
  }
  bool on_array_begin(error_code& ec) {
    if (depth_ == 0) return not_an_object(ec);
    return begin_nested(ec);
  }
  bool on_array_end(std::size_t n, error_code&) {
    nested_.push_array(n);
    return end_nested();
  }

  bool on_key_part(std::string_view s, std::size_t, error_code&) {
    if (depth_ == 1)
      key_.append(s);
    else
      nested_.push_chars(s);
    return true;
  }
  bool on_key(std::string_view s, std::size_t, error_code&) {
    if (depth_ == 1) {
      // The parser may reuse its buffer for the value, so the key is kept apart.
      key_.append(s);
    } else {
      nested_.push_key(s);
    }
    return true;
  }

  bool on_string_part(std::string_view s, std::size_t, error_code& ec) {
    if (depth_ == 0) return not_an_object(ec);
    if (depth_ == 1)
      text_.append(s);
    else
      nested_.push_chars(s);
    return true;
  }
  bool on_string(std::string_view s, std::size_t, error_code& ec) {
    if (depth_ != 1 || text_.empty()) return value(s, ec);
    text_.append(s);
    value(std::string_view(text_), ec);
    text_.clear();
    return true;
  }

  bool on_number_part(std::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t i, std::string_view, error_code& ec) { return value(i, ec); }
  bool on_uint64(std::uint64_t u, std::string_view, error_code& ec) { return value(u, ec); }
  bool on_double(double d, std::string_view, error_code& ec) { return value(d, ec); }
  bool on_bool(bool b, error_code& ec) { return value(b, ec); }
  bool on_null(error_code& ec) { return value(nullptr, ec); }

  bool on_comment_part(std::string_view, error_code&) { return true; }
  bool on_comment(std::string_view, error_code&) { return true; }

 private:
  // A scalar: a top-level member's value, or part of an array or object member being built.
  template <typename Value>
  bool value(Value scalar, error_code& ec) {
    if (depth_ == 0) return not_an_object(ec);
    if (depth_ > 1) {
      push_nested(scalar);
      return true;
    }
    visit_(std::string_view(key_), Member(scalar));
    key_.clear();
    return true;
  }
  void push_nested(std::string_view s) { nested_.push_string(s); }
  void push_nested(std::int64_t i) { nested_.push_int64(i); }
  void push_nested(std::uint64_t u) { nested_.push_uint64(u); }
  void push_nested(double d) { nested_.push_double(d); }
  void push_nested(bool b) { nested_.push_bool(b); }
  void push_nested(std::nullptr_t) { nested_.push_null(); }

  bool begin_nested(error_code& ec) {
    if (depth_ == 0) return not_an_object(ec);
    if (depth_ == 1) nested_.reset();
    ++depth_;
    return true;
  }
  bool end_nested() {
    if (--depth_ > 1) return true;
    json::value value = nested_.release();
    visit_(std::string_view(key_), Member(&value));
    key_.clear();
    return true;
  }

  static bool not_an_object(error_code& ec) {
    ec = json::error::syntax;
    return false;
  }

  const std::function<void(std::string_view, const Member&)>& visit_;
  int depth_ = 0;
  std::string key_;
  std::string text_;
  json::value_stack nested_;
};

// The end of the JSON string starting at text[at] (a quote), past its closing quote; npos when unterminated.
// Values are longer than keys (ids, times): memchr, 32 bytes at a time, finds their quotes faster than
// next_quote_or_backslash. A quote preceded by an odd run of backslashes is escaped (they pair up from the
// run's start).
std::size_t string_end(std::string_view text, std::size_t at) {
  std::size_t from = at + 1;
  while (from < text.size()) {
    const auto* quote = static_cast<const char*>(std::memchr(text.data() + from, '"', text.size() - from));
    if (!quote) return std::string_view::npos;
    const auto position = static_cast<std::size_t>(quote - text.data());
    std::size_t backslashes = 0;
    for (std::size_t p = position - 1; p > at && text[p] == '\\'; --p) ++backslashes;
    if (backslashes % 2 == 0) return position + 1;
    from = position + 1;
  }
  return std::string_view::npos;
}

}  // namespace

bool find_plain_strings(std::string_view text, std::initializer_list<std::string_view> names,
                        std::string_view* values) {
  if (text.empty() || text.front() != '{') return false;
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const char* at = begin + 1;  // where the previous member's value ended
  for (const auto name : names) {
    // Colons end keys, and only a person's text or a time has others: a few steps to the member.
    const std::size_t key_size = name.size() + 3;  // `,"name"`
    for (;; ++at) {
      at = static_cast<const char*>(std::memchr(at, ':', static_cast<std::size_t>(end - at)));
      if (!at) return false;
      if (static_cast<std::size_t>(at - begin) < key_size) continue;
      const char* key = at - key_size;
      if ((*key == ',' || key == begin) && key[1] == '"' && at[-1] == '"' &&
          std::string_view(key + 2, name.size()) == name)
        break;
    }
    if (end - at < 2 || at[1] != '"') return false;
    const char* value = at + 2;
    const auto* value_end =
        static_cast<const char*>(std::memchr(value, '"', static_cast<std::size_t>(end - value)));
    if (!value_end) return false;
    *values = std::string_view(value, static_cast<std::size_t>(value_end - value));
    if (std::memchr(value, '\\', values->size())) return false;
    ++values;
    at = value_end + 1;
  }
  // Every member found must be the object's own: nothing before the last of them opens a nested value.
  const auto before = static_cast<std::size_t>(at - begin - 1);
  return !std::memchr(begin + 1, '{', before) && !std::memchr(begin + 1, '[', before);
}

std::size_t detail::raw_value_end(std::string_view text, std::size_t at) {
  if (at >= text.size()) return std::string_view::npos;
  const char first = text[at];
  if (first == '"') return string_end(text, at);
  std::size_t i = at;
  if (first != '{' && first != '[') {
    // A number or a literal: up to the separator that follows it.
    while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']') ++i;
    return i == at || i == text.size() ? std::string_view::npos : i;
  }
  int depth = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      i = string_end(text, i);
      if (i == std::string_view::npos) return i;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return i + 1;
    }
    ++i;
  }
  return std::string_view::npos;
}

Member member_of(const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      return nullptr;
    case json::kind::bool_:
      return value.get_bool();
    case json::kind::int64:
      return value.get_int64();
    case json::kind::uint64:
      return value.get_uint64();
    case json::kind::double_:
      return value.get_double();
    case json::kind::string:
      return std::string_view(value.get_string());
    case json::kind::array:
    case json::kind::object:
      return &value;
  }
  return nullptr;
}

bool for_each_member(std::string_view text,
                     const std::function<void(std::string_view key, const Member& member)>& visit) {
  json::basic_parser<MemberHandler> parser(json::parse_options{}, visit);
  error_code ec;
  const auto consumed = parser.write_some(false, text.data(), text.size(), ec);
  return !ec && parser.done() && consumed == text.size();
}

std::optional<std::string_view> as_string(const Member& member) {
  if (const auto* text = std::get_if<std::string_view>(&member)) return *text;
  return std::nullopt;
}

std::optional<std::int64_t> as_int(const Member& member) {
  if (const auto* number = std::get_if<std::int64_t>(&member)) return *number;
  if (const auto* number = std::get_if<std::uint64_t>(&member)) return static_cast<std::int64_t>(*number);
  if (const auto* number = std::get_if<double>(&member)) return static_cast<std::int64_t>(*number);
  return std::nullopt;
}

std::optional<double> as_number(const Member& member) {
  if (const auto* number = std::get_if<std::int64_t>(&member)) return static_cast<double>(*number);
  if (const auto* number = std::get_if<std::uint64_t>(&member)) return static_cast<double>(*number);
  if (const auto* number = std::get_if<double>(&member)) return *number;
  return std::nullopt;
}

std::optional<bool> as_bool(const Member& member) {
  if (const auto* flag = std::get_if<bool>(&member)) return *flag;
  return std::nullopt;
}

const json::array* as_array(const Member& member) {
  if (const auto* value = std::get_if<const json::value*>(&member)) return (*value)->if_array();
  return nullptr;
}

const json::object* as_object(const Member& member) {
  if (const auto* value = std::get_if<const json::value*>(&member)) return (*value)->if_object();
  return nullptr;
}

}  // namespace kefir::stored_json
