#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace kefir::crypto {

std::string random_bytes(std::size_t count);                         // CSPRNG (OpenSSL RAND_bytes)
std::string sha256(std::string_view data);                           // raw 32 bytes
std::array<unsigned char, 32> sha256_digest(std::string_view data);  // the same, without a string
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
// RFC 5869 HKDF-SHA256; `info` names the purpose so each derived key is independent.
std::string hkdf_sha256(std::string_view input_key, std::string_view salt, std::string_view info,
                        std::size_t length = 32);
bool constant_time_equal(std::string_view a, std::string_view b);

std::string hex_encode(std::string_view data);
std::string base64_encode(std::string_view data);
std::string base64url_encode(std::string_view data);  // no padding
// Both return false on malformed input instead of throwing: inputs come from clients.
bool base64_decode(std::string_view text, std::string& out);
bool base64url_decode(std::string_view text, std::string& out);

}  // namespace kefir::crypto
