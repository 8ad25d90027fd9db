// Pagination cursors: round trip, and every way a client could try to forge or reuse one.
#include <gtest/gtest.h>

#include "domain/cursor.hpp"
#include "http/errors.hpp"
#include "util/crypto.hpp"

namespace kefir::cursor {
namespace {

const json::object kResume{{"PK", "USER#alice"}, {"SK", "BATCH#0190a1b2-0000-7000-8000-000000000001"}};

// The VALIDATION_ERROR detail a bad cursor produces, or "" when decoding succeeded.
std::string rejection(const Codec& codec, std::string_view text, std::string_view fingerprint) {
  try {
    codec.decode(text, fingerprint);
    return "";
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.failure(), domain::Failure::Invalid);
    EXPECT_EQ(error.code(), "VALIDATION_ERROR");
    return error.details().empty() ? "?" : error.details().front().field;
  }
}

TEST(Cursor, RoundTripsTheResumeKey) {
  Codec codec("secret-key");
  auto fp = fingerprint({"batches", "alice", "", ""});
  auto text = codec.encode(kResume, fp);
  EXPECT_EQ(codec.decode(text, fp), kResume);
  // base64url: safe in a query string without escaping.
  EXPECT_EQ(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
            std::string::npos);
}

TEST(Cursor, ACursorOfAnotherUserOrQueryIsRejected) {
  Codec codec("secret-key");
  auto text = codec.encode(kResume, fingerprint({"batches", "alice", "", ""}));
  EXPECT_EQ(rejection(codec, text, fingerprint({"batches", "bob", "", ""})), "cursor");
  EXPECT_EQ(rejection(codec, text, fingerprint({"batches", "alice", "active", ""})), "cursor");
  EXPECT_EQ(rejection(codec, text, fingerprint({"events", "alice", "", ""})), "cursor");
}

TEST(Cursor, ACursorSignedWithAnotherKeyIsRejected) {
  auto fp = fingerprint({"batches", "alice"});
  auto text = Codec("other-key").encode(kResume, fp);
  EXPECT_EQ(rejection(Codec("secret-key"), text, fp), "cursor");
}

TEST(Cursor, TamperedPayloadOrSignatureIsRejected) {
  Codec codec("secret-key");
  auto fp = fingerprint({"batches", "alice"});
  auto text = codec.encode(kResume, fp);
  auto dot = text.find('.');
  // Someone else's partition in the payload, with the original signature.
  json::object forged{{"PK", "USER#bob"}, {"SK", "BATCH#x"}};
  auto swapped = crypto::base64url_encode(json::serialize(forged)) + text.substr(dot);
  EXPECT_EQ(rejection(codec, swapped, fp), "cursor");
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (std::size_t i : {std::size_t{0}, dot - 1, dot + 1, text.size() - 1}) {
    // Flip the high bit of the character's 6 bits: the low bits of a last character may be padding.
    auto flipped = text;
    flipped[i] = alphabet[alphabet.find(flipped[i]) ^ 32];
    EXPECT_EQ(rejection(codec, flipped, fp), "cursor") << "position " << i;
  }
}

TEST(Cursor, GarbageIsRejected) {
  Codec codec("secret-key");
  auto fp = fingerprint({"batches", "alice"});
  for (std::string_view text : {"", ".", "abc", "abc.def", "!!!.???", "eyJQSyI6MX0"})
    EXPECT_EQ(rejection(codec, text, fp), "cursor") << text;
  EXPECT_EQ(rejection(codec, std::string(5000, 'A') + ".AAAA", fp), "cursor");
  // A correctly signed payload that is not an object is refused too.
  auto mac = crypto::hmac_sha256("secret-key", fp + "\n[1]");
  EXPECT_EQ(rejection(codec, crypto::base64url_encode("[1]") + "." + crypto::base64url_encode(mac), fp),
            "cursor");
}

TEST(Cursor, FingerprintPartsCannotRunTogether) {
  EXPECT_NE(fingerprint({"ab", "c"}), fingerprint({"a", "bc"}));
  EXPECT_NE(fingerprint({"a", ""}), fingerprint({"a"}));
}

TEST(PageLimit, DefaultsAndBounds) {
  EXPECT_EQ(parse_limit(std::nullopt), kDefaultLimit);
  EXPECT_EQ(parse_limit("1"), 1u);
  EXPECT_EQ(parse_limit("100"), 100u);
  for (std::string text : {"0", "101", "-1", "", "abc", "10x", " 5", "1.5", "99999999999999999999999"}) {
    try {
      parse_limit(text);
      ADD_FAILURE() << "accepted limit " << text;
    } catch (const domain::Error& error) {
      EXPECT_EQ(error.failure(), domain::Failure::Invalid);
      ASSERT_EQ(error.details().size(), 1u);
      EXPECT_EQ(error.details().front().field, "limit");
    }
  }
}

TEST(ListFilter, EmptyMeansNoFilterAndUnknownValuesAreErrors) {
  EXPECT_EQ(parse_choice(std::nullopt, "status", {"active", "ready"}), std::nullopt);
  EXPECT_EQ(parse_choice("", "status", {"active", "ready"}), std::nullopt);
  EXPECT_EQ(parse_choice("ready", "status", {"active", "ready"}), "ready");
  try {
    parse_choice("Ready", "status", {"active", "ready"});
    ADD_FAILURE() << "accepted a wrong-case value";
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.details().front().field, "status");
  }
}

TEST(ResumeKey, HasTheTableKeysAndTheIndexKeysOnGsi1) {
  store::Item item{
      {"PK", "USER#a"}, {"SK", "BATCH#b"}, {"GSI1PK", "BATCH#b"}, {"GSI1SK", "BATCH"}, {"name", "x"}};
  EXPECT_EQ(store::resume_key_after(item, false), (json::object{{"PK", "USER#a"}, {"SK", "BATCH#b"}}));
  EXPECT_EQ(store::resume_key_after(item, true),
            (json::object{{"PK", "USER#a"}, {"SK", "BATCH#b"}, {"GSI1PK", "BATCH#b"}, {"GSI1SK", "BATCH"}}));
}

}  // namespace
}  // namespace kefir::cursor
