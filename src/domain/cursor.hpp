#pragma once
// Opaque pagination cursors (SPEC §1). A cursor carries the store's resume key, bound by an HMAC to the query
// that produced it (user, filters, order), so a tampered cursor or one from another user or another query is
// a 400 naming `cursor`, never a way into someone else's items. Generic: every list endpoint uses it.
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "ports/item_store.hpp"
#include "util/json.hpp"

namespace kefir::cursor {

inline constexpr std::size_t kDefaultLimit = 50;
inline constexpr std::size_t kMaxLimit = 100;

// Identifies a query: its kind (e.g. "batches") and every parameter that shapes the result (user id, filters,
// order). Parts are length-prefixed, so ("ab","c") and ("a","bc") differ.
std::string fingerprint(std::initializer_list<std::string_view> parts);

class Codec {
 public:
  explicit Codec(std::string key) : key_(std::move(key)) {}

  std::string encode(const json::object& resume_key, std::string_view fingerprint) const;
  // The resume key; throws VALIDATION_ERROR naming `cursor` unless this codec made it for this fingerprint.
  json::object decode(std::string_view cursor, std::string_view fingerprint) const;

 private:
  std::string key_;
};

// `?limit=`: absent gives the default; anything but an integer 1..100 is a VALIDATION_ERROR naming `limit`.
std::size_t parse_limit(const std::optional<std::string>& text);

// A list filter such as `?status=`: absent or empty means no filter; a value outside `allowed` is a
// VALIDATION_ERROR naming the parameter.
std::optional<std::string> parse_choice(const std::optional<std::string>& value, std::string_view name,
                                        std::initializer_list<std::string_view> allowed);

}  // namespace kefir::cursor
