#pragma once
// The one-time sign-in code policy (SPEC §2), as pure rules over times and counts; auth_service applies them
// to the stored challenge.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "util/time.hpp"

namespace kefir::domain {

inline constexpr int kCodeDigits = 6;
inline constexpr std::chrono::minutes kCodeLifetime{10};
inline constexpr int kMaxCodeAttempts = 5;  // wrong guesses that burn a code
inline constexpr std::chrono::seconds kResendCooldown{30};
inline constexpr std::size_t kMaxCodesPerWindow = 5;
inline constexpr std::chrono::hours kCodeWindow{1};

// Six decimal digits, uniformly from a CSPRNG.
std::string generate_code();
// Only this keyed hash of a code is stored. Binding the email in means a hash says nothing about another
// address.
std::string code_hash(std::string_view key, std::string_view email, std::string_view code);
bool well_formed_code(std::string_view code);

enum class LoginAction {
  send,          // issue a new code (replacing any previous one)
  cooldown,      // a code went out less than kResendCooldown ago: accept, send nothing
  rate_limited,  // kMaxCodesPerWindow codes within kCodeWindow: 429
};

struct LoginDecision {
  LoginAction action = LoginAction::send;
  std::chrono::seconds retry_after{0};  // rate_limited: when the oldest send leaves the window
  std::vector<TimePoint> sends;         // send: the sends still inside the window, the new one included
};

// `previous_sends`: when earlier codes for this email went out (any order, old ones are ignored).
LoginDecision decide_login(const std::vector<TimePoint>& previous_sends, TimePoint now);

}  // namespace kefir::domain
