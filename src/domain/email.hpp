#pragma once
// Email addresses as sign-in identities (SPEC §2, §12): one account per address, compared case-insensitively,
// so the canonical form (the one in keys and claims) is trimmed and lower-cased.
#include <optional>
#include <string>
#include <string_view>

namespace kefir::domain {

inline constexpr std::size_t kMaxEmailLength = 254;  // RFC 5321 path limit minus the angle brackets

// The canonical form of a syntactically valid address (dot-atom local part, a domain of at least two DNS
// labels), or nullopt. Quoted local parts and address literals are not accepted: no mail provider hands them
// out.
std::optional<std::string> normalize_email(std::string_view text);

}  // namespace kefir::domain
