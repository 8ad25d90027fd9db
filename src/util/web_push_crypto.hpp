#pragma once
// The cryptography of Web Push, as pure functions over OpenSSL 3: P-256 keys, message encryption (RFC 8291
// over RFC 8188 aes128gcm: one record, rs 4096, the ephemeral public key as keyid) and the VAPID JWT of
// RFC 8292 (ES256, the raw r||s signature JOSE wants rather than OpenSSL's DER).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <openssl/evp.h>

namespace kefir::webpush {

inline constexpr std::size_t kPublicPointSize = 65;  // uncompressed: 0x04 || x || y
inline constexpr std::size_t kAuthSecretSize = 16;
inline constexpr std::size_t kSaltSize = 16;
inline constexpr std::uint32_t kRecordSize = 4096;
// What fits the one record: rs minus the padding delimiter and the 16-byte tag.
inline constexpr std::size_t kMaxPlaintext = kRecordSize - 17;

// A P-256 key: a private one (signing, ECDH) or only a public point (a peer).
class P256Key {
 public:
  static P256Key generate();
  // A PKCS#8 or SEC1 PEM of a P-256 private key; std::invalid_argument otherwise.
  static P256Key from_private_pem(std::string_view pem);
  // The raw 32-byte private scalar (RFC 8291's example keys).
  static P256Key from_private_scalar(std::string_view scalar);
  // An uncompressed point on the curve; std::invalid_argument otherwise.
  static P256Key from_public_point(std::string_view point);

  std::string public_point() const;  // 65 bytes
  std::string private_pem() const;   // PKCS#8
  EVP_PKEY* get() const { return key_.get(); }

 private:
  struct Free {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  };
  explicit P256Key(EVP_PKEY* key) : key_(key, Free{}) {}
  std::shared_ptr<EVP_PKEY> key_;
};

// 65 bytes, 0x04 first, and a point on P-256.
bool is_p256_point(std::string_view point);

// RFC 8291 §3-4: the aes128gcm body for the subscription's p256dh (`ua_public`) and auth secret, from the
// sender's ephemeral key and salt (fixed only in tests). std::invalid_argument for a bad key or secret, or a
// plaintext over kMaxPlaintext.
std::string encrypt(std::string_view plaintext, std::string_view ua_public, std::string_view auth_secret,
                    const P256Key& ephemeral, std::string_view salt);
// The same with a fresh ephemeral key and random salt, as every message must have.
std::string encrypt(std::string_view plaintext, std::string_view ua_public, std::string_view auth_secret);
// The user agent's side: the plaintext, or nullopt when the body does not decrypt with these keys.
std::optional<std::string> decrypt(std::string_view body, const P256Key& ua_key,
                                   std::string_view auth_secret);

// ES256 over `input`: 64 bytes r||s.
std::string es256_sign(const P256Key& key, std::string_view input);
bool es256_verify(const P256Key& key, std::string_view input, std::string_view signature);

// RFC 8292 §2: a JWT {"typ":"JWT","alg":"ES256"}.{aud, exp, sub}, signed with the VAPID key.
std::string vapid_jwt(const P256Key& key, std::string_view audience, std::int64_t expires_at,
                      std::string_view subject);
// The JWT's aud: scheme://host[:port] of a push endpoint (the port only when the URL names one); empty when
// the endpoint is not an absolute http(s) URL.
std::string endpoint_origin(std::string_view endpoint);

}  // namespace kefir::webpush
