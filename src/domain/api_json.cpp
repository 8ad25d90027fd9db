#include "domain/api_json.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include "util/json_text.hpp"
#include "util/stored_json.hpp"

namespace kefir::domain::api_json {
namespace {

json::value number_value(double number) {
  if (std::trunc(number) == number && std::abs(number) < 9e15) return static_cast<std::int64_t>(number);
  return number;
}

bool digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// What format_rfc3339 writes, quoted: "YYYY-MM-DDTHH:MM:SS.mmmZ". Every list item has three, so the 24 bytes
// inside the quotes are checked 8 at a time: the digit bytes must be 0x30-0x39 (high nibble 3, and adding 6
// does not carry out of it), the other bytes equal to the shape's.
bool canonical_time(std::string_view raw) {
  static constexpr std::string_view kShape = "0000-00-00T00:00:00.000Z";
  static const auto digit_masks = [] {
    std::array<std::uint64_t, 3> masks{};
    std::array<unsigned char, 24> bytes{};
    for (std::size_t i = 0; i < kShape.size(); ++i) bytes[i] = kShape[i] == '0' ? 0xFF : 0x00;
    std::memcpy(masks.data(), bytes.data(), bytes.size());
    return masks;
  }();
  constexpr std::uint64_t kHighNibbles = 0xF0F0F0F0F0F0F0F0;
  constexpr std::uint64_t kSixes = 0x0606060606060606;
  if (raw.size() != kShape.size() + 2 || raw.front() != '"' || raw.back() != '"') return false;
  for (std::size_t word = 0; word < digit_masks.size(); ++word) {
    std::uint64_t text = 0;
    std::uint64_t shape = 0;
    std::memcpy(&text, raw.data() + 1 + word * 8, 8);
    std::memcpy(&shape, kShape.data() + word * 8, 8);
    const std::uint64_t mask = digit_masks[word];
    const std::uint64_t digits = text & mask;
    const std::uint64_t threes = shape & mask;  // '0' is 0x30
    if ((text & ~mask) != (shape & ~mask) || (digits & kHighNibbles) != threes ||
        ((digits + (kSixes & mask)) & kHighNibbles & mask) != threes)
      return false;
  }
  return true;
}

bool string_list(std::string_view raw) {
  if (raw.size() < 2 || raw.front() != '[' || raw.back() != ']') return false;
  std::string_view items = raw.substr(1, raw.size() - 2);
  while (!items.empty()) {
    if (items.front() != '"') return false;
    std::size_t i = 1;
    while (i < items.size() && items[i] != '"') i += items[i] == '\\' ? 2 : 1;
    if (i >= items.size()) return false;
    items.remove_prefix(i + 1);
    if (!items.empty()) {
      if (items.front() != ',') return false;
      items.remove_prefix(1);
      if (items.empty()) return false;
    }
  }
  return true;
}

// A nested value is copied as it is stored: it must at least be JSON, or a damaged stored text would reach
// the client as a broken page instead of the decoder's 503. Nested values are small and rare (an event's
// metadata).
bool well_formed(std::string_view raw) {
  unsigned char scratch[2048];
  json::monotonic_resource resource(scratch, sizeof scratch);
  json::error_code error;
  json::parse(raw, error, &resource);
  return !error;
}

// Whether the stored text of a member is what the API writes for a field of this shape.
bool in_api_form(Shape shape, std::string_view raw) {
  switch (shape) {
    case Shape::string:
      return raw.size() >= 2 && raw.front() == '"';
    case Shape::time:
      return canonical_time(raw);
    case Shape::integer:
      return digits(raw.front() == '-' ? raw.substr(1) : raw) && raw.size() <= 18;
    case Shape::number:
      // Written from the same double by the same serializer (number_value, then json::serialize).
      return !raw.empty() && (raw.front() == '-' || (raw.front() >= '0' && raw.front() <= '9'));
    case Shape::boolean:
      return raw == "true" || raw == "false";
    case Shape::strings:
      return string_list(raw);
    case Shape::object:
      return raw.front() == '{' && well_formed(raw);
    case Shape::decoded:
      return false;
  }
  return false;
}

// A 64-bit hash of the text, sixteen bytes a step: two little-endian words (so that a stored file reads the
// same on every machine), each mixed with the state or a constant, multiplied into 128 bits whose halves are
// folded together (wyhash's step): half the instructions of the word-at-a-time multiply-xorshift it replaced,
// which cost 5 % of a built list page. It tells a stored API text from any other text, not from an attacker:
// the only writer of a stamp is put_stored.
std::uint64_t text_hash(std::string_view text, std::uint64_t seed = 0) {
  constexpr std::uint64_t kFirst = 0xa0761d6478bd642f;
  constexpr std::uint64_t kSecond = 0xe7037ed1a0b428db;
  constexpr std::uint64_t kSize = 0x8ebc6af09c88c6e3;
  auto fold = [](std::uint64_t a, std::uint64_t b) {
    const auto product = static_cast<unsigned __int128>(a) * b;
    return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
  };
  auto word_at = [](const char* at, std::size_t size) {
    std::uint64_t word = 0;
    std::memcpy(&word, at, size);
    if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
    return word;
  };
  const char* at = text.data();
  std::size_t left = text.size();
  std::uint64_t hash = fold(seed ^ kFirst, text.size() ^ kSize);
  for (; left >= 16; at += 16, left -= 16) hash = fold(word_at(at, 8) ^ kFirst, word_at(at + 8, 8) ^ hash);
  if (left > 0) {
    const std::size_t low = std::min<std::size_t>(left, 8);
    hash = fold(word_at(at, low) ^ kFirst, word_at(at + low, left - low) ^ hash ^ kSecond);
  }
  return fold(hash ^ kSecond, hash ^ kSize);
}

// A stamp's numbers are fixed-width lowercase hex, so that reading one is a load and a few word operations
// instead of a digit loop per number (that loop cost more than the copy it guards).
void append_hex(std::string& out, std::uint64_t value, int digits) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out.push_back(kDigits[(value >> shift) & 0xF]);
}

// The value of eight hex digits, decoded all at once: a digit's low nibble, plus 9 for a letter, then the
// nibbles packed pairwise. Any other bytes give some value, not an error: every value read is checked against
// the text's bounds, and the hash against the text.
std::uint32_t hex8(const char* at) {
  std::uint64_t word = 0;
  std::memcpy(&word, at, 8);
  if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
  const std::uint64_t letters = (word & 0x4040404040404040) >> 6;
  const std::uint64_t nibbles = (word & 0x0F0F0F0F0F0F0F0F) + letters * 9;
  const std::uint64_t bytes = ((nibbles << 4) | (nibbles >> 8)) & 0x00FF00FF00FF00FF;
  const std::uint64_t halves = ((bytes << 8) | (bytes >> 16)) & 0x0000FFFF0000FFFF;
  return static_cast<std::uint32_t>(((halves & 0xFFFF) << 16) | (halves >> 32));
}

// The hash a stamp holds: of the stored members, the runs put back into them, and the field list they count.
std::uint64_t stamp_hash(std::string_view members, std::string_view runs, std::uint64_t field_list) {
  return text_hash(runs, text_hash(members, field_list));
}

}  // namespace

void NullMembers::add(std::string_view api_name) {
  if (!text_.empty()) text_.push_back(',');
  append_key(text_, api_name);
  text_ += "null";
  at_.push_back(text_.size());
}

std::string_view NullMembers::run(std::size_t from, std::size_t until) const {
  return std::string_view(text_).substr(at_[from], at_[until] - at_[from]);
}

std::uint64_t field_list_hash(std::uint64_t so_far, std::string_view api_name) {
  return text_hash(api_name, so_far);
}

bool ApiTextStamp::add(std::string_view api_name, std::string_view value_text) {
  const std::size_t index = fields_++;
  field_list_ = field_list_hash(field_list_, api_name);
  if (index > 0 && value_text == "null") {
    if (run_from_ == 0) {
      run_from_ = index;
      run_at_ = members_.size();
    }
    return false;
  }
  close_run(index);
  if (index > 0) members_.push_back(',');
  append_key(members_, api_name);
  members_ += value_text;
  return true;
}

void ApiTextStamp::close_run(std::size_t until) {
  if (run_from_ == 0) return;
  if (run_at_ > kMaxRunAt || until > 0xFF) fits_ = false;
  append_hex(runs_, run_at_ << 16 | run_from_ << 8 | until, 8);
  run_from_ = 0;
}

std::string ApiTextStamp::finish(std::size_t tail_size) {
  close_run(fields_);
  if (!fits_ || members_.size() > 0xFFFFFFFF || tail_size > 0xFFFFFFFF) return {};
  std::string stamp;
  append_hex(stamp, stamp_hash(members_, runs_, field_list_), 16);
  append_hex(stamp, members_.size(), 8);
  append_hex(stamp, tail_size, 8);
  return stamp + runs_;
}

std::size_t stored_tail_size(std::initializer_list<StoredKey> keys) {
  std::string tail;
  for (const auto& key : keys) {
    tail.push_back(',');
    append_key(tail, key.name);
    json_text::append_string(tail, key.value);
  }
  return tail.size() + 1;
}

SplicedObject::SplicedObject(std::vector<SplicedField> fields) : fields_(std::move(fields)) {
  if (fields_.size() > kMaxFields) throw std::logic_error("a spliced object has too many fields");
  slots_.fill(-1);
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    auto& slot = slots_[slot_of(fields_[i].stored)];
    slot = slot == -1 ? static_cast<std::int8_t>(i) : std::int8_t{-2};
    null_members_.add(fields_[i].api);
    field_list_ = field_list_hash(field_list_, fields_[i].api);
  }
  first_required_from_.resize(fields_.size() + 1, fields_.size());
  for (std::size_t i = fields_.size(); i-- > 0;)
    first_required_from_[i] = fields_[i].nullable ? first_required_from_[i + 1] : i;
}

std::size_t SplicedObject::slot_of(std::string_view name) {
  if (name.empty()) return 0;
  return (name.size() * 31 + static_cast<unsigned char>(name.front()) * 7 +
          static_cast<unsigned char>(name.back())) %
         kSlots;
}

int SplicedObject::field_index(std::string_view stored_name) const {
  const int slot = slots_[slot_of(stored_name)];
  if (slot >= 0) return fields_[static_cast<std::size_t>(slot)].stored == stored_name ? slot : -1;
  if (slot == -1) return -1;
  for (std::size_t i = 0; i < fields_.size(); ++i)
    if (fields_[i].stored == stored_name) return static_cast<int>(i);
  return -1;
}

bool SplicedObject::append_nulls(std::string& out, std::size_t from, std::size_t until) const {
  if (from >= until) return true;
  if (first_required_from_[from] < until) return false;
  out += null_members_.run(from, until);
  return true;
}

// One pass over the stored members, writing the fields in order as their members come: the members a writer
// of to_item's form left out are the nullable fields between two it wrote, and a member that comes before one
// already written (another writer's order) sends the document to the decoder.
bool SplicedObject::append(std::string& out, std::string_view stored) const {
  const std::size_t start = out.size();
  std::size_t next = 0;  // the field the next member should be
  // A member named alike in both is `"name":value` in the stored text too, so a run of such members that the
  // store wrote one after another in the fields' order is copied in one piece, commas included.
  const char* run_begin = nullptr;
  const char* run_end = nullptr;
  auto flush = [&] {
    if (run_begin) out.append(run_begin, static_cast<std::size_t>(run_end - run_begin));
    run_begin = nullptr;
  };
  out.push_back('{');
  bool spliced = true;
  bool object = stored_json::for_each_raw_member(stored, [&](const stored_json::RawMember& member) {
    std::size_t index = next;
    if (index >= fields_.size() || fields_[index].stored != member.key) {
      const int found = field_index(member.key);
      if (found < 0) return true;  // not a field: the keys, attributes the API does not show
      index = static_cast<std::size_t>(found);
    }
    const SplicedField& field = fields_[index];
    const bool absent = member.value == "null";
    if (index < next || !(absent ? field.nullable : in_api_form(field.shape, member.value))) {
      spliced = false;
      return false;
    }
    const char* member_begin = member.key.data() - 1;  // at `"name":`
    const char* member_end = member.value.data() + member.value.size();
    if (index > next || absent || !field.same_name || !run_begin || member_begin != run_end + 1) {
      flush();
      spliced = append_nulls(out, next, absent ? index + 1 : index);
      if (!spliced) return false;
    }
    if (!absent && field.same_name) {
      if (!run_begin) {
        if (index > 0) out.push_back(',');
        run_begin = member_begin;
      }
      run_end = member_end;
    } else if (!absent) {
      out += std::string_view(field.key_text).substr(index == 0 ? 1 : 0);
      out += member.value;
    }
    next = index + 1;
    return true;
  });
  flush();
  if (!object || !spliced || !append_nulls(out, next, fields_.size())) {
    out.resize(start);
    return false;
  }
  out.push_back('}');
  return true;
}

bool SplicedObject::append_held(std::string& out, std::string_view stored) const {
  constexpr std::string_view kOpening = R"({"apiText":")";
  constexpr std::size_t kHeader = 32;  // hash, members' length, tail length
  if (!stored.starts_with(kOpening)) return false;
  const auto stamp_end = stored.find('"', kOpening.size());
  if (stamp_end == std::string_view::npos || stamp_end + 1 >= stored.size() || stored[stamp_end + 1] != ',')
    return false;
  const auto stamp = stored.substr(kOpening.size(), stamp_end - kOpening.size());
  if (stamp.size() < kHeader || (stamp.size() - kHeader) % 8 != 0) return false;
  const std::size_t length = hex8(stamp.data() + 16);
  const std::size_t tail = hex8(stamp.data() + 24);
  // The members end where the keys start, and the keys, as many bytes as when the item was written, end it.
  const auto members_at = stamp_end + 2;
  const auto after_members = stored.size() - members_at;
  if (length >= after_members || tail != after_members - length ||
      (stored[members_at + length] != ',' && stored[members_at + length] != '}'))
    return false;
  const auto members = stored.substr(members_at, length);
  const auto runs = stamp.substr(kHeader);
  const std::uint64_t hash = std::uint64_t{hex8(stamp.data())} << 32 | hex8(stamp.data() + 8);
  if (hash != stamp_hash(members, runs, field_list_)) return false;

  const std::size_t start = out.size();
  out.push_back('{');
  std::size_t copied = 0;  // of the members
  std::size_t next_field = 1;
  for (std::size_t at_run = 0; at_run < runs.size(); at_run += 8) {
    const std::uint32_t run = hex8(runs.data() + at_run);
    const std::size_t at = run >> 16;
    const std::size_t from = (run >> 8) & 0xFF;
    const std::size_t until = run & 0xFF;
    if (at < copied || at > length || from < next_field || from >= until || until > fields_.size() ||
        first_required_from_[from] < until) {
      out.resize(start);
      return false;
    }
    out += members.substr(copied, at - copied);
    out += null_members_.run(from, until);
    copied = at;
    next_field = until;
  }
  out += members.substr(copied);
  out.push_back('}');
  return true;
}

json::value dom_value(const std::string& text) {
  return json::value(text);
}
json::value dom_value(TimePoint time) {
  return json::value(format_rfc3339(time));
}
json::value dom_value(std::int64_t number) {
  return number;
}
json::value dom_value(double number) {
  return number_value(number);
}
json::value dom_value(bool flag) {
  return flag;
}
json::value dom_value(const std::vector<std::string>& items) {
  json::array out;
  out.reserve(items.size());
  for (const auto& item : items) out.emplace_back(item);
  return out;
}
json::value dom_value(const json::object& object) {
  return object;
}

void append_value(std::string& out, const std::string& text) {
  json_text::append_string(out, text);
}
void append_value(std::string& out, TimePoint time) {
  out.push_back('"');
  out += format_rfc3339(time);
  out.push_back('"');
}
void append_value(std::string& out, std::int64_t number) {
  json_text::append_integer(out, number);
}
void append_value(std::string& out, double number) {
  out += json::serialize(number_value(number));
}
void append_value(std::string& out, bool flag) {
  out += flag ? "true" : "false";
}
void append_value(std::string& out, const std::vector<std::string>& items) {
  out.push_back('[');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    json_text::append_string(out, items[i]);
  }
  out.push_back(']');
}
void append_value(std::string& out, const json::object& object) {
  out += json::serialize(object);
}
void append_key(std::string& out, std::string_view name) {
  // Names are the domain's own identifiers, never in need of escapes.
  out.push_back('"');
  out += name;
  out += "\":";
}

}  // namespace kefir::domain::api_json
