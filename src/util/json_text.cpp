#include "util/json_text.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace kefir::json_text {
namespace {

template <typename Number>
void append_digits(std::string& out, Number value) {
  char buf[24];
  auto result = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, result.ptr);
}

}  // namespace

void append_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  // A table rather than three comparisons per character: list pages run every stored string through here.
  static constexpr auto kEscaped = [] {
    std::array<bool, 256> escaped{};
    for (int c = 0; c < 0x20; ++c) escaped[c] = true;
    escaped['"'] = escaped['\\'] = true;
    return escaped;
  }();
  out.push_back('"');
  std::size_t plain = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (!kEscaped[c]) continue;
    out.append(text.substr(plain, i - plain));
    plain = i + 1;
    out.push_back('\\');
    switch (c) {
      case '"':
      case '\\':
        out.push_back(static_cast<char>(c));
        break;
      case '\b':
        out.push_back('b');
        break;
      case '\f':
        out.push_back('f');
        break;
      case '\n':
        out.push_back('n');
        break;
      case '\r':
        out.push_back('r');
        break;
      case '\t':
        out.push_back('t');
        break;
      default:
        out += "u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
  }
  out.append(text.substr(plain));
  out.push_back('"');
}

void append_integer(std::string& out, std::int64_t value) {
  append_digits(out, value);
}

std::string number(double value) {
  char buf[32];
  auto [end, error] = std::to_chars(buf, buf + sizeof buf, value);
  return error == std::errc() ? std::string(buf, end) : std::string();
}

void append(std::string& out, const json::value& value) {
  switch (value.kind()) {
    case json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& field : value.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        append_string(out, field.key());
        out.push_back(':');
        append(out, field.value());
      }
      out.push_back('}');
      break;
    }
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        append(out, element);
      }
      out.push_back(']');
      break;
    }
    case json::kind::string:
      append_string(out, value.get_string());
      break;
    case json::kind::int64:
      append_digits(out, value.get_int64());
      break;
    case json::kind::uint64:
      append_digits(out, value.get_uint64());
      break;
    case json::kind::double_:
      // JSON has no NaN or infinity; to_chars would write "nan"/"inf".
      if (std::isfinite(value.get_double()))
        out += number(value.get_double());
      else
        out += "null";
      break;
    case json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      break;
    case json::kind::null:
      out += "null";
      break;
  }
}

std::string serialize(const json::value& value) {
  std::string out;
  append(out, value);
  return out;
}

}  // namespace kefir::json_text
