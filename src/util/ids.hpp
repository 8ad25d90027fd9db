#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace kefir {

std::string uuid_v4();
// A UUIDv4 for correlation only (request ids): a per-thread generator seeded once from the CSPRNG, about a
// hundred times cheaper than uuid_v4(). Never for anything a client could gain by predicting.
std::string correlation_uuid();
bool is_uuid(std::string_view text);  // lowercase canonical form, any version

// RFC 9562 UUIDv7: 48-bit millisecond timestamp, then a counter seeded randomly each millisecond, so ids made
// by one process are strictly increasing even within one millisecond (batch keys sort by creation).
class UuidV7Generator {
 public:
  std::string next(std::int64_t unix_millis);

 private:
  std::mutex mutex_;
  std::int64_t last_millis_ = 0;
  std::uint64_t counter_ = 0;       // rand_b: random start each millisecond, +1 per id
  std::uint16_t counter_high_ = 0;  // rand_a: random each millisecond
};

}  // namespace kefir
