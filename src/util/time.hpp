#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kefir {

// Every instant in the service is milliseconds since the Unix epoch, UTC.
using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// "2026-01-15T10:00:00.000Z": the one format every response uses.
std::string format_rfc3339(TimePoint t);
// Accepts RFC 3339 with 'Z' or a numeric offset, optional fraction (any digits; kept to the millisecond).
std::optional<TimePoint> parse_rfc3339(std::string_view text);
// Compact UTC stamp for file names: 20260115T100000Z.
std::string format_compact_utc(TimePoint t);

inline std::int64_t epoch_seconds(TimePoint t) {
  return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
}
inline std::int64_t epoch_millis(TimePoint t) {
  return t.time_since_epoch().count();
}
inline TimePoint from_epoch_millis(std::int64_t ms) {
  return TimePoint(milliseconds(ms));
}

}  // namespace kefir
