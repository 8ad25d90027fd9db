#include "domain/email.hpp"

#include <algorithm>

namespace kefir::domain {
namespace {

constexpr std::size_t kMaxLocalPart = 64;
constexpr std::size_t kMaxLabel = 63;

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// RFC 5322 atext (after lower-casing).
bool is_atext(char c) {
  static constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~";
  return is_alnum(c) || specials.find(c) != std::string_view::npos;
}

bool valid_local_part(std::string_view local) {
  if (local.empty() || local.size() > kMaxLocalPart || local.front() == '.' || local.back() == '.')
    return false;
  for (std::size_t i = 0; i < local.size(); ++i) {
    if (local[i] == '.') {
      if (local[i + 1] == '.') return false;
    } else if (!is_atext(local[i])) {
      return false;
    }
  }
  return true;
}

bool valid_domain(std::string_view domain) {
  if (domain.empty() || domain.find('.') == std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= domain.size()) {
    auto end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    auto label = domain.substr(start, end - start);
    if (label.empty() || label.size() > kMaxLabel || label.front() == '-' || label.back() == '-')
      return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; }))
      return false;
    start = end + 1;
  }
  // The top-level label is never all digits (that would be an IP address in disguise).
  auto top = domain.substr(domain.rfind('.') + 1);
  return !std::all_of(top.begin(), top.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<std::string> normalize_email(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  if (text.empty() || text.size() > kMaxEmailLength) return std::nullopt;
  std::string email(text);
  std::transform(email.begin(), email.end(), email.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  auto at = email.find('@');
  if (at == std::string::npos || email.find('@', at + 1) != std::string::npos) return std::nullopt;
  if (!valid_local_part(std::string_view(email).substr(0, at)) ||
      !valid_domain(std::string_view(email).substr(at + 1)))
    return std::nullopt;
  return email;
}

}  // namespace kefir::domain
