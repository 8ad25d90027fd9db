#include "domain/otp.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "util/crypto.hpp"

namespace kefir::domain {

std::string generate_code() {
  constexpr std::uint32_t range = 1000000;
  // Rejection sampling: the largest multiple of `range` below 2^32 keeps every code equally likely.
  constexpr std::uint32_t limit = UINT32_MAX - UINT32_MAX % range;
  std::uint32_t value;
  do {
    auto bytes = crypto::random_bytes(sizeof value);
    std::memcpy(&value, bytes.data(), sizeof value);
  } while (value >= limit);
  std::string code = std::to_string(value % range);
  return std::string(kCodeDigits - code.size(), '0') + code;
}

std::string code_hash(std::string_view key, std::string_view email, std::string_view code) {
  std::string message(email);
  message.push_back('\0');
  message.append(code);
  return crypto::hex_encode(crypto::hmac_sha256(key, message));
}

bool well_formed_code(std::string_view code) {
  return code.size() == kCodeDigits &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

LoginDecision decide_login(const std::vector<TimePoint>& previous_sends, TimePoint now) {
  LoginDecision decision;
  for (auto sent : previous_sends)
    if (sent > now - kCodeWindow) decision.sends.push_back(sent);
  std::sort(decision.sends.begin(), decision.sends.end());
  if (!decision.sends.empty() && now - decision.sends.back() < kResendCooldown) {
    decision.action = LoginAction::cooldown;
    return decision;
  }
  if (decision.sends.size() >= kMaxCodesPerWindow) {
    decision.action = LoginAction::rate_limited;
    auto free_at = decision.sends[decision.sends.size() - kMaxCodesPerWindow] + kCodeWindow;
    decision.retry_after = std::chrono::ceil<std::chrono::seconds>(free_at - now);
    return decision;
  }
  decision.sends.push_back(now);
  return decision;
}

}  // namespace kefir::domain
