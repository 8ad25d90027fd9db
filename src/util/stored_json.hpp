#pragma once
// Reading a stored document's top-level members straight from its JSON text, without building a DOM of the
// whole document: a list page decodes every item it sends, and the DOM (an allocation per member, a hashed
// lookup per field, then its destruction) cost more than everything else the page does.
//
// The same member view is made of a DOM member (member_of), so a domain type has one function that reads a
// member into its struct, whether the member came from text or from an item.
#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>

#include "util/json.hpp"

namespace kefir::stored_json {

// A member's value. Strings are views valid during the call only; arrays and objects are built as a
// json::value (they are small: a list of photo keys, an event's metadata).
using Member = std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, std::string_view,
                            const json::value*>;

Member member_of(const json::value& value);

// Calls visit(key, member) for each top-level member of the JSON object `text`, in order; false when the
// text is not one well-formed JSON object (nothing is known then about which members were visited).
bool for_each_member(std::string_view text,
                     const std::function<void(std::string_view key, const Member& member)>& visit);

// The values of the top-level string members `names` (their text between the quotes, as views into `text`),
// found by searching rather than by walking every member before them: a filter that reads two members of
// each listed item spent more on the walk than the page spent on the rest of that item. The names are given
// in the order the writer writes them. In compact JSON `,"name":` can only start a member (a quote within a
// string is escaped), and it is the object's own member when no object or array opens before it. False when
// that is not so, when a member is missing, or when a value is not a string without escapes: walk the members
// (for_each_raw_member) then.
bool find_plain_strings(std::string_view text, std::initializer_list<std::string_view> names,
                        std::string_view* values);

// A stored item read into a `Reader` (read(key, member) for each member, then std::move(reader).finish())
// from its DOM or straight from its text; the text's nullopt when it is not a JSON object.
template <typename Reader>
auto read_item(const json::object& item) {
  Reader reader;
  for (const auto& member : item) reader.read(member.key(), member_of(member.value()));
  return std::move(reader).finish();
}
template <typename Reader>
auto read_text(std::string_view text) -> std::optional<decltype(std::declval<Reader>().finish())> {
  Reader reader;
  if (!for_each_member(text,
                       [&reader](std::string_view key, const Member& member) { reader.read(key, member); }))
    return std::nullopt;
  return std::move(reader).finish();
}

// Typed readings of a member, with the conversions of json_string/json_int/json_number/json_bool.
std::optional<std::string_view> as_string(const Member& member);
std::optional<std::int64_t> as_int(const Member& member);
std::optional<double> as_number(const Member& member);
std::optional<bool> as_bool(const Member& member);
const json::array* as_array(const Member& member);
const json::object* as_object(const Member& member);

// A top-level member of a stored document as raw text: its key (written without escapes) and its value's JSON
// text exactly as stored.
struct RawMember {
  std::string_view key;
  std::string_view value;
};

namespace detail {
// The end of the compact JSON value starting at text[at] (one past it); npos when it does not end in the
// text.
std::size_t raw_value_end(std::string_view text, std::size_t at);

// The first '"' or '\\' in [from, end), or end, for the end of a key. Keys are a word or two long, shorter
// than a library search pays off for, so eight bytes are tested at a time in a register: a byte of `word ^ c`
// is zero where the text has c, and (x - 0x01..) & ~x & 0x80.. marks x's lowest zero byte exactly.
inline const char* next_quote_or_backslash(const char* from, const char* end) {
  if constexpr (std::endian::native == std::endian::little) {
    constexpr std::uint64_t kOnes = 0x0101010101010101;
    constexpr std::uint64_t kHighBits = 0x8080808080808080;
    for (; end - from >= 8; from += 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, from, sizeof word);
      const std::uint64_t quotes = word ^ (kOnes * '"');
      const std::uint64_t backslashes = word ^ (kOnes * '\\');
      const std::uint64_t found =
          (((quotes - kOnes) & ~quotes) | ((backslashes - kOnes) & ~backslashes)) & kHighBits;
      if (found != 0) return from + std::countr_zero(found) / 8;
    }
  }
  while (from < end && *from != '"' && *from != '\\') ++from;
  return from;
}
}  // namespace detail

// Calls visit(member) for each top-level member of `text`, in order, until it returns false. False when the
// text is not an object in the compact form json::serialize writes (no whitespace, no escaped key): decode it
// instead. Values are delimited, not validated; after a visit answered false the rest is not looked at.
template <typename Visit>
bool for_each_raw_member(std::string_view text, Visit visit) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return false;
  if (text.size() == 2) return true;
  std::size_t at = 1;
  for (;;) {
    if (text[at] != '"') return false;
    const char* key_stop = detail::next_quote_or_backslash(text.data() + at + 1, text.data() + text.size());
    auto key_end = static_cast<std::size_t>(key_stop - text.data());
    if (key_end + 1 >= text.size() || *key_stop != '"' || text[key_end + 1] != ':') return false;
    auto key = text.substr(at + 1, key_end - at - 1);
    auto value_at = key_end + 2;
    auto end = detail::raw_value_end(text, value_at);
    if (end == std::string_view::npos || end >= text.size()) return false;
    if (!visit(RawMember{key, text.substr(value_at, end - value_at)})) return true;
    if (text[end] == '}') return end + 1 == text.size();
    if (text[end] != ',') return false;
    at = end + 1;
  }
}

// The base of a stored item's decoder `Self` (read_item, read_text): Self lists `kEntries`, its stored names
// in the order the writer writes them, each with the function that reads the member into it. A member is
// looked for first right after the previous member's entry, so a document costs about one comparison per
// member; members the table lacks are skipped.
template <typename Self>
class MemberDecoder {
 public:
  using Read = void (*)(Self&, const Member&);
  struct Entry {
    std::string_view name;
    Read read;
  };
  static void ignore(Self&, const Member&) {}  // for the key attributes

  void read(std::string_view key, const Member& member) {
    constexpr auto& table = Self::kEntries;
    constexpr std::size_t count = std::size(table);
    for (std::size_t tried = 0; tried < count; ++tried) {
      const Entry& entry = table[(next_ + tried) % count];
      if (entry.name == key) {
        next_ = (next_ + tried + 1) % count;
        entry.read(static_cast<Self&>(*this), member);
        return;
      }
    }
  }

 private:
  std::size_t next_ = 0;
};

}  // namespace kefir::stored_json
