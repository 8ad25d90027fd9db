#include "util/ids.hpp"

#include <cstring>

#include "util/crypto.hpp"

namespace kefir {
namespace {

std::string format_uuid(const unsigned char* bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 15]);
  }
  return out;
}

}  // namespace

std::string uuid_v4() {
  auto random = crypto::random_bytes(16);
  unsigned char bytes[16];
  std::memcpy(bytes, random.data(), 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  return format_uuid(bytes);
}

std::string correlation_uuid() {
  thread_local std::uint64_t state = [] {
    std::uint64_t seed = 0;
    auto random = crypto::random_bytes(sizeof seed);
    std::memcpy(&seed, random.data(), sizeof seed);
    return seed;
  }();
  auto next = [] {  // splitmix64
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  unsigned char bytes[16];
  std::uint64_t halves[2] = {next(), next()};
  std::memcpy(bytes, halves, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  return format_uuid(bytes);
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < 36; ++i) {
    char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

std::string UuidV7Generator::next(std::int64_t unix_millis) {
  std::lock_guard lock(mutex_);
  if (unix_millis > last_millis_) {
    last_millis_ = unix_millis;
    auto seed = crypto::random_bytes(10);
    std::memcpy(&counter_, seed.data(), 8);
    counter_ &= (1ULL << 61) - 1;  // headroom: increments within one millisecond never reach bit 62
    std::memcpy(&counter_high_, seed.data() + 8, 2);
    counter_high_ &= 0x0fff;
  } else {
    // Same millisecond, or the clock went backwards: keep the last timestamp and count up.
    ++counter_;
  }
  unsigned char bytes[16];
  std::uint64_t ms = static_cast<std::uint64_t>(last_millis_);
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));
  // rand_a: 12 bits (counter_high_), rand_b: 62 bits (counter_ low bits).
  bytes[6] = static_cast<unsigned char>(0x70 | ((counter_high_ >> 8) & 0x0f));
  bytes[7] = static_cast<unsigned char>(counter_high_ & 0xff);
  std::uint64_t low = counter_ & 0x3fffffffffffffffULL;
  bytes[8] = static_cast<unsigned char>(0x80 | (low >> 56));
  for (int i = 1; i < 8; ++i) bytes[8 + i] = static_cast<unsigned char>(low >> (56 - 8 * i));
  return format_uuid(bytes);
}

}  // namespace kefir
