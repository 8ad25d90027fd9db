// crypto::hmac_sha256 keeps one OpenSSL context per thread and re-keys it on every call: the RFC 4231 known
// answers, and calls with other keys in between (the empty key included) never see a previous key.
#include <gtest/gtest.h>

#include "util/crypto.hpp"

namespace kefir::crypto {
namespace {

TEST(HmacSha256, MatchesRfc4231) {
  EXPECT_EQ(hex_encode(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // A key longer than SHA-256's block is hashed first.
  EXPECT_EQ(hex_encode(hmac_sha256(std::string(131, '\xaa'),
                                   "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, EveryCallUsesItsOwnKey) {
  const auto jefe = hmac_sha256("Jefe", "what do ya want for nothing?");
  const auto empty_key = hmac_sha256("", "what do ya want for nothing?");
  EXPECT_NE(empty_key, jefe);
  EXPECT_EQ(hmac_sha256(std::string_view(), "what do ya want for nothing?"), empty_key);
  EXPECT_EQ(hmac_sha256("Jefe", "what do ya want for nothing?"), jefe);
  EXPECT_EQ(hex_encode(hmac_sha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

}  // namespace
}  // namespace kefir::crypto
