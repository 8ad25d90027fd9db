#include "util/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <memory>
#include <optional>
#include <stdexcept>

namespace kefir::crypto {

std::string random_bytes(std::size_t count) {
  std::string out(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return out;
}

std::array<unsigned char, 32> sha256_digest(std::string_view data) {
  // OpenSSL 3's one-shot SHA256() looks the algorithm up in its provider tables on every call, which cost as
  // much as hashing a whole access token: fetched once, with a context per thread.
  static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                                     &EVP_MD_CTX_free);
  std::array<unsigned char, 32> digest;
  if (!algorithm || !context || EVP_DigestInit_ex2(context.get(), algorithm, nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest.data(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return digest;
}

std::string sha256(std::string_view data) {
  auto digest = sha256_digest(data);
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

std::string sha256_hex(std::string_view data) {
  return hex_encode(sha256(data));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  // As for SHA-256: the one-shot HMAC() fetches the MAC and its digest on every call (most of its cost for a
  // short message); fetched once, with a context per thread that already names its digest.
  static EVP_MAC* const algorithm = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  thread_local const std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> context(
      [] {
        EVP_MAC_CTX* created = algorithm ? EVP_MAC_CTX_new(algorithm) : nullptr;
        char digest_name[] = "SHA256";
        const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                                     OSSL_PARAM_construct_end()};
        if (created && EVP_MAC_CTX_set_params(created, params) != 1) {
          EVP_MAC_CTX_free(created);
          return static_cast<EVP_MAC_CTX*>(nullptr);
        }
        return created;
      }(),
      &EVP_MAC_CTX_free);
  // Keyed once per key: a null key re-uses the thread's current one (the hashed pads, two of the four SHA-256
  // blocks of a short message); any other key, empty included, re-keys.
  thread_local std::optional<std::string> keyed_with;
  static const unsigned char empty_key = 0;
  const unsigned char* key_bytes = nullptr;
  if (keyed_with != key) {
    keyed_with.reset();
    key_bytes = key.empty() ? &empty_key : reinterpret_cast<const unsigned char*>(key.data());
  }
  std::string out(32, '\0');
  std::size_t length = 0;
  if (!context || EVP_MAC_init(context.get(), key_bytes, key_bytes ? key.size() : 0, nullptr) != 1 ||
      EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(context.get(), reinterpret_cast<unsigned char*>(out.data()), &length, out.size()) != 1 ||
      length != out.size()) {
    keyed_with.reset();
    throw std::runtime_error("HMAC-SHA-256 failed");
  }
  if (key_bytes) keyed_with.emplace(key);
  return out;
}

std::string hkdf_sha256(std::string_view input_key, std::string_view salt, std::string_view info,
                        std::size_t length) {
  std::string out(length, '\0');
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
  bool ok = ctx && EVP_PKEY_derive_init(ctx) > 0 && EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) > 0 &&
            EVP_PKEY_CTX_set1_hkdf_salt(ctx, reinterpret_cast<const unsigned char*>(salt.data()),
                                        static_cast<int>(salt.size())) > 0 &&
            EVP_PKEY_CTX_set1_hkdf_key(ctx, reinterpret_cast<const unsigned char*>(input_key.data()),
                                       static_cast<int>(input_key.size())) > 0 &&
            EVP_PKEY_CTX_add1_hkdf_info(ctx, reinterpret_cast<const unsigned char*>(info.data()),
                                        static_cast<int>(info.size())) > 0;
  std::size_t out_length = length;
  ok = ok && EVP_PKEY_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), &out_length) > 0;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) throw std::runtime_error("HKDF failed");
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hex_encode(std::string_view data) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (unsigned char c : data) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

namespace {

constexpr char kStandard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlSafe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view data, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    std::uint32_t n = (static_cast<unsigned char>(data[i]) << 16) |
                      (static_cast<unsigned char>(data[i + 1]) << 8) |
                      static_cast<unsigned char>(data[i + 2]);
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
    out.push_back(alphabet[(n >> 6) & 63]);
    out.push_back(alphabet[n & 63]);
  }
  std::size_t rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t n = static_cast<unsigned char>(data[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(data[i + 1]) << 8;
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
    if (rest == 2) out.push_back(alphabet[(n >> 6) & 63]);
    if (pad) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

std::array<std::int8_t, 256> make_table(const char* alphabet) {
  std::array<std::int8_t, 256> table;
  table.fill(-1);
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  return table;
}

bool decode(std::string_view text, const std::array<std::int8_t, 256>& table, std::string& out) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return false;
  out.clear();
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : text) {
    int value = table[c];
    if (value < 0) return false;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return true;
}

}  // namespace

std::string base64_encode(std::string_view data) {
  return encode(data, kStandard, true);
}
std::string base64url_encode(std::string_view data) {
  return encode(data, kUrlSafe, false);
}

bool base64_decode(std::string_view text, std::string& out) {
  static const auto table = make_table(kStandard);
  return decode(text, table, out);
}
bool base64url_decode(std::string_view text, std::string& out) {
  static const auto table = make_table(kUrlSafe);
  return decode(text, table, out);
}

}  // namespace kefir::crypto
