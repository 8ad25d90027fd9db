#pragma once
// RS256 JSON Web Tokens (SPEC §2): signs access and id tokens with the service's RSA key and verifies access
// tokens on every authenticated request. Verification is the hot path: the public keys are parsed once into
// prepared OpenSSL contexts, the header of our own tokens is recognised by comparing bytes, and verified
// tokens are remembered in a bounded cache keyed by the SHA-256 of the whole token (honouring `exp`).
//
// Revocation ("sign out everywhere", account deletion): a per-user mark says that every token issued before a
// moment is refused. The mark lives in the store; a token's mark is read when the token enters the cache and
// again once its cache entry is kRevocationRecheck old, so a cache hit costs no store read and every instance
// refuses a revoked token at most kRevocationRecheck after the mark was written (the instance that writes it
// at once, through revoke_tokens_before).
//
// Key material: a PEM text holding one or more RSA private keys (PKCS#8 or PKCS#1, at least 2048 bits). The
// first key signs; every key is listed in the JWKS and accepted for verification, so an operator rotates by
// putting the new key first and keeping the old one listed for at least 2 hours (authorizers cache key sets).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "ports/clock.hpp"
#include "util/json.hpp"

namespace kefir::auth {

inline constexpr std::chrono::seconds kTokenLifetime{3600};
inline constexpr std::chrono::seconds kClockLeeway{30};
// How stale this instance's knowledge of another instance's revocation may be. Short, because it bounds how
// long a signed-out or deleted user's token keeps working elsewhere; long enough that an active token costs
// one store read per interval, not one per request.
inline constexpr std::chrono::seconds kRevocationRecheck{5};
inline constexpr std::string_view kDevKeyFileName = "jwt-signing-key.pem";

struct VerifiedAccessToken {
  std::string user_id;
  std::int64_t expires_at = 0;    // epoch seconds
  std::int64_t issued_at_ms = 0;  // epoch milliseconds (the iat_ms claim, else iat)
};

// The user's revocation mark: tokens issued before this epoch millisecond are refused; nullopt when none.
// May throw store errors, which then fail the request (503) rather than let a possibly revoked token pass.
using TokensNotBefore = std::function<std::optional<std::int64_t>(const std::string& user_id)>;

class TokenService {
 public:
  // `pem` as described above; `issuer` is the tokens' iss (PUBLIC_BASE_URL), `client_id` their client_id/aud.
  // Throws ConfigError when the PEM holds no usable RSA key.
  TokenService(std::string_view pem, std::string issuer, std::string client_id, const Clock& clock,
               std::size_t cache_capacity = kDefaultCacheCapacity);
  ~TokenService();
  TokenService(const TokenService&) = delete;
  TokenService& operator=(const TokenService&) = delete;

  // JWT_PRIVATE_KEY, else JWT_PRIVATE_KEY_FILE, else (stage dev only) the key kept in DATA_DIR, generated on
  // first use with mode 0600. Throws ConfigError naming the option when a key is missing, unreadable or
  // invalid.
  static std::unique_ptr<TokenService> from_config(const Config& config, const Clock& clock);
  // A fresh RSA-2048 private key as PKCS#8 PEM (`kefir keygen`, dev key generation).
  static std::string generate_private_key_pem();
  // `kefir keygen FILE`: a fresh key in a new file of mode 0600; an existing file is never replaced.
  static void write_new_key_file(const std::string& path);

  std::string issue_access_token(std::string_view user_id) const;
  std::string issue_id_token(std::string_view user_id, std::string_view email, bool email_verified) const;

  // An access token of ours, signed RS256 by one of our keys, with our iss and client_id, not expired (30 s
  // leeway), not issued before its user's revocation mark. Anything else (other algorithms, id tokens,
  // foreign keys, malformed input, revoked) gives nullopt.
  std::optional<VerifiedAccessToken> verify_access_token(std::string_view token) const;
  // The same check without the cache (benchmarks; the cache is an optimisation, never a different answer).
  std::optional<VerifiedAccessToken> verify_access_token_uncached(std::string_view token) const;

  // Where the revocation marks are read; without one, no token is ever revoked.
  void set_tokens_not_before(TokensNotBefore source);
  // This instance refuses the user's tokens issued before `epoch_ms` from now on (the caller has stored the
  // mark, which other instances read).
  void revoke_tokens_before(const std::string& user_id, std::int64_t epoch_ms);

  json::object jwks() const;               // {"keys": [{kty, use, alg, kid, n, e}, ...]}
  const std::string& signing_kid() const;  // RFC 7638 thumbprint of the signing key
  const std::string& issuer() const;
  const std::string& client_id() const;
  // SHA-256 of the signing key's DER encoding: the root of every derived secret (AppContext::derive_key).
  std::string master_secret() const;

  static constexpr std::size_t kDefaultCacheCapacity = 32768;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kefir::auth
