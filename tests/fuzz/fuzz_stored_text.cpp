// Stored documents as list pages read them (domain/api_json.hpp), in two modes.
//
// Arbitrary bytes as a stored document, copied or spliced: the stamp reader trusts lengths and runs from the
// text and the member scanner reads words past a key's start, so neither may read outside the text; and
// whenever the text is JSON, what the splice writes must be JSON too, whatever it refused or copied. The same
// bytes searched for two string members (stored_json::find_plain_strings, the batch list's filter): in a
// JSON object, what the search finds must be those members' values.
//
// After a first byte 0x01 (no JSON text starts so): an item put_stored wrote from field values taken from the
// rest, then one byte of its text changed. The item as written is copied as the API writes it, and the
// changed one is either refused or still copied as exactly those bytes (a change outside the members, such
// as in a key, changes nothing the page shows).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "domain/api_json.hpp"
#include "util/stored_json.hpp"

using namespace kefir::domain;

namespace {

void check_arbitrary(std::string_view stored) {
  using api_json::Shape;
  static const api_json::SplicedObject spliced({{"s", Shape::string},
                                                {"t", Shape::time, true},
                                                {"i", Shape::integer, true},
                                                {"n", Shape::number, true},
                                                {"b", Shape::boolean, true},
                                                {"l", Shape::strings, true},
                                                {"o", Shape::object, true},
                                                {{"api", "stored"}, Shape::string, true},
                                                {"d", Shape::decoded, true}});
  std::string held = "[";
  if (!spliced.append_held(held, stored) && held != "[") std::abort();
  std::string out = "[";
  if (!spliced.append(out, stored)) {
    if (out != "[") std::abort();  // a refusal leaves the buffer as it was
    return;
  }
  boost::system::error_code stored_error;
  boost::json::parse(stored, stored_error);
  boost::system::error_code out_error;
  boost::json::parse(std::string_view(out).substr(1), out_error);
  if (!stored_error && out_error) std::abort();
}

void check_search(std::string_view stored) {
  constexpr std::string_view kNames[] = {"s", "t"};
  std::string_view found[2];
  if (!kefir::stored_json::find_plain_strings(stored, {kNames[0], kNames[1]}, found)) return;
  std::string parsed[2];
  int seen[2] = {0, 0};
  bool strings = true;
  const bool object = kefir::stored_json::for_each_member(
      stored, [&](std::string_view key, const kefir::stored_json::Member& member) {
        for (int i = 0; i < 2; ++i) {
          if (key != kNames[i] || seen[i]++ > 0) continue;
          const auto* text = std::get_if<std::string_view>(&member);
          if (text)
            parsed[i] = *text;
          else
            strings = false;
        }
      });
  if (!object || seen[0] != 1 || seen[1] != 1) return;  // not JSON, or a name given twice: nothing promised
  if (!strings || parsed[0] != found[0] || parsed[1] != found[1]) std::abort();
}

struct Fields {
  std::string name;
  std::optional<std::string> note;
  std::optional<std::int64_t> count;
  std::optional<bool> flag;
  std::vector<std::string> tags;
  std::optional<std::string> last;

  template <typename Field>
  void visit(Field&& field) const {
    field("name", name);
    field("note", note);
    field("count", count);
    field("flag", flag);
    field("tags", tags);
    field("last", last);
  }
};

// Values from the bytes: pieces split at 0xFF, and which optionals are set from the first byte's bits.
Fields fields_from(std::string_view bytes, std::string& key) {
  std::vector<std::string> pieces(1);
  for (char c : bytes.substr(1)) {
    if (static_cast<unsigned char>(c) == 0xFF)
      pieces.emplace_back();
    else
      pieces.back().push_back(c);
  }
  auto piece = [&pieces](std::size_t i) { return i < pieces.size() ? pieces[i] : std::string(); };
  const unsigned bits = static_cast<unsigned char>(bytes[0]);
  Fields fields;
  fields.name = piece(0);
  if (bits & 2) fields.note = piece(1);
  if (bits & 4) fields.count = static_cast<std::int64_t>(piece(2).size()) * 1000003 - 7;
  if (bits & 8) fields.flag = (bits & 16) != 0;
  for (std::size_t i = 5; i < pieces.size(); ++i) fields.tags.push_back(pieces[i]);
  if (bits & 32) fields.last = piece(3);
  key = piece(4);
  return fields;
}

void check_written(std::string_view bytes) {
  static const auto spliced = api_json::spliced_object([](auto&& field) { Fields{}.visit(field); });
  std::string key;
  const Fields fields = fields_from(bytes, key);
  auto visit = [&fields](auto&& field) { fields.visit(field); };
  boost::json::object item;
  api_json::put_stored(item, visit, {{"PK", key}});
  std::string text = boost::json::serialize(item);
  std::string api;
  api_json::append_object(api, visit);

  std::string held;
  if (!spliced.append_held(held, text) || held != api) std::abort();

  std::size_t hash = 0;
  for (char c : bytes) hash = hash * 31 + static_cast<unsigned char>(c);
  const std::size_t at = hash % text.size();
  const char change = static_cast<char>((hash >> 16) % 255 + 1);  // never 0: the byte always changes
  text[at] = static_cast<char>(text[at] ^ change);
  held.clear();
  if (spliced.append_held(held, text) && held != api) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (bytes.size() >= 2 && bytes[0] == '\x01')
    check_written(bytes.substr(1));
  else {
    check_arbitrary(bytes);
    check_search(bytes);
  }
  return 0;
}
