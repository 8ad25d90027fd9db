// Web Push cryptography: RFC 8291's worked example byte for byte, decryption round trips, and the ES256 VAPID
// JWT of RFC 8292 (raw r||s signatures, claims, the endpoint's origin as audience).
#include <gtest/gtest.h>

#include <openssl/pem.h>

#include <filesystem>
#include <map>

#include <boost/json.hpp>

#include "adapters/webpush/vapid_web_push_sender.hpp"
#include "util/crypto.hpp"
#include "util/web_push_crypto.hpp"

namespace kefir::webpush {
namespace {

std::string b64(std::string_view text) {
  std::string out;
  EXPECT_TRUE(crypto::base64url_decode(text, out)) << text;
  return out;
}

// RFC 8291 §5 (values as printed there, base64url).
constexpr std::string_view kPlaintext = "When I grow up, I want to be a watermelon";
constexpr std::string_view kAsPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
constexpr std::string_view kAsPublic =
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
constexpr std::string_view kUaPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
constexpr std::string_view kUaPublic =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
constexpr std::string_view kSalt = "DGv6ra1nlYgDCS1FRnbzlw";
constexpr std::string_view kAuthSecret = "BTBZMqHH6r4Tts7J_aSIgg";
constexpr std::string_view kBody =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_"
    "c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PB"
    "ru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

TEST(WebPushEncryption, MatchesTheWorkedExampleOfRfc8291ByteForByte) {
  auto sender = P256Key::from_private_scalar(b64(kAsPrivate));
  EXPECT_EQ(crypto::base64url_encode(sender.public_point()), kAsPublic);
  auto body = encrypt(kPlaintext, b64(kUaPublic), b64(kAuthSecret), sender, b64(kSalt));
  EXPECT_EQ(crypto::base64url_encode(body), kBody);
}

TEST(WebPushEncryption, TheUserAgentDecryptsTheWorkedExample) {
  auto receiver = P256Key::from_private_scalar(b64(kUaPrivate));
  EXPECT_EQ(crypto::base64url_encode(receiver.public_point()), kUaPublic);
  EXPECT_EQ(decrypt(b64(kBody), receiver, b64(kAuthSecret)), std::string(kPlaintext));
}

TEST(WebPushEncryption, FreshKeysAndSaltPerMessageAndARoundTrip) {
  auto browser = P256Key::generate();
  auto auth = crypto::random_bytes(kAuthSecretSize);
  const std::string payload = R"({"title":"Kefir reminder","body":"Taste it ✓"})";
  auto first = encrypt(payload, browser.public_point(), auth);
  auto second = encrypt(payload, browser.public_point(), auth);
  EXPECT_NE(first.substr(0, kSaltSize), second.substr(0, kSaltSize)) << "a new salt each time";
  EXPECT_NE(first.substr(21, kPublicPointSize), second.substr(21, kPublicPointSize)) << "a new key each time";
  EXPECT_EQ(first.size(), 16u + 4 + 1 + 65 + payload.size() + 1 + 16) << "one record, no padding";
  EXPECT_EQ(first.substr(16, 5), std::string("\x00\x00\x10\x00\x41", 5)) << "rs 4096, keyid of 65 bytes";
  EXPECT_EQ(decrypt(first, browser, auth), payload);
  EXPECT_EQ(decrypt(second, browser, auth), payload);

  EXPECT_EQ(decrypt(first, browser, crypto::random_bytes(kAuthSecretSize)), std::nullopt) << "wrong secret";
  EXPECT_EQ(decrypt(first, P256Key::generate(), auth), std::nullopt) << "wrong key";
  auto tampered = first;
  tampered.back() = static_cast<char>(tampered.back() ^ 1);
  EXPECT_EQ(decrypt(tampered, browser, auth), std::nullopt) << "tag";
}

TEST(WebPushEncryption, RejectsWhatCannotBeEncrypted) {
  auto browser = P256Key::generate().public_point();
  auto auth = crypto::random_bytes(kAuthSecretSize);
  EXPECT_THROW(encrypt(std::string(kMaxPlaintext + 1, 'x'), browser, auth), std::invalid_argument);
  EXPECT_NO_THROW(encrypt(std::string(kMaxPlaintext, 'x'), browser, auth));
  EXPECT_THROW(encrypt("x", browser, "short"), std::invalid_argument);
  auto off_curve = browser;
  off_curve[40] = static_cast<char>(off_curve[40] ^ 1);
  EXPECT_FALSE(is_p256_point(off_curve));
  EXPECT_THROW(encrypt("x", off_curve, auth), std::invalid_argument);
  EXPECT_TRUE(is_p256_point(browser));
  EXPECT_FALSE(is_p256_point(browser.substr(0, 64)));
}

TEST(P256Keys, PemRoundTripAndOnlyP256) {
  auto key = P256Key::generate();
  auto again = P256Key::from_private_pem(key.private_pem());
  EXPECT_EQ(again.public_point(), key.public_point());
  EXPECT_THROW(P256Key::from_private_pem("not a pem"), std::invalid_argument);
  EVP_PKEY* p384 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  ASSERT_NE(p384, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio, p384, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  const std::string pem(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  EVP_PKEY_free(p384);
  EXPECT_THROW(P256Key::from_private_pem(pem), std::invalid_argument) << "a P-384 key";
}

boost::json::object decode_part(std::string_view part) {
  return boost::json::parse(b64(part)).as_object();
}

TEST(VapidJwt, Es256WithRawSignatureAndTheClaims) {
  auto key = P256Key::generate();
  auto jwt = vapid_jwt(key, "https://push.example.net", 1767268800, "mailto:admin@example.com");
  auto first_dot = jwt.find('.');
  auto second_dot = jwt.find('.', first_dot + 1);
  ASSERT_NE(second_dot, std::string::npos);
  EXPECT_EQ(decode_part(jwt.substr(0, first_dot)), (boost::json::object{{"typ", "JWT"}, {"alg", "ES256"}}));
  EXPECT_EQ(
      decode_part(jwt.substr(first_dot + 1, second_dot - first_dot - 1)),
      (boost::json::object{
          {"aud", "https://push.example.net"}, {"exp", 1767268800}, {"sub", "mailto:admin@example.com"}}));
  auto signature = b64(jwt.substr(second_dot + 1));
  EXPECT_EQ(signature.size(), 64u) << "r||s, not DER";
  EXPECT_TRUE(
      es256_verify(P256Key::from_public_point(key.public_point()), jwt.substr(0, second_dot), signature));
  EXPECT_FALSE(es256_verify(P256Key::generate(), jwt.substr(0, second_dot), signature));
  EXPECT_FALSE(es256_verify(key, jwt.substr(0, second_dot) + "x", signature));
}

TEST(VapidJwt, TheAudienceIsTheEndpointsOrigin) {
  EXPECT_EQ(endpoint_origin("https://fcm.googleapis.com/fcm/send/abc:def"), "https://fcm.googleapis.com");
  EXPECT_EQ(endpoint_origin("https://updates.push.services.mozilla.com:443/wpush/v2/x"),
            "https://updates.push.services.mozilla.com");
  EXPECT_EQ(endpoint_origin("http://127.0.0.1:8123/push/x?y=1"), "http://127.0.0.1:8123");
  EXPECT_EQ(endpoint_origin("https://[::1]:9443/p"), "https://[::1]:9443");
  EXPECT_EQ(endpoint_origin("ftp://example.com/x"), "");
  EXPECT_EQ(endpoint_origin("/relative"), "");
  EXPECT_EQ(endpoint_origin("https:///nohost"), "");
}

TEST(VapidJwt, TheRequestCarriesTheHeadersOfRfc8030And8292) {
  push::VapidKey vapid{P256Key::generate(), "", "mailto:ops@example.com"};
  vapid.public_key = crypto::base64url_encode(vapid.key.public_point());
  auto browser = P256Key::generate();
  auto auth = crypto::random_bytes(kAuthSecretSize);
  auto now = *parse_rfc3339("2026-03-01T08:00:00Z");
  auto request = push::web_push_request(
      vapid, {"https://push.example.net:8443/s/1", browser.public_point(), auth}, R"({"a":1})", now);
  std::map<std::string, std::string> headers(request.headers.begin(), request.headers.end());
  EXPECT_EQ(headers.at("content-encoding"), "aes128gcm");
  EXPECT_EQ(headers.at("content-type"), "application/octet-stream");
  EXPECT_EQ(headers.at("ttl"), "86400");
  EXPECT_EQ(headers.at("urgency"), "high");
  const auto& authorization = headers.at("authorization");
  ASSERT_TRUE(authorization.starts_with("vapid t=")) << authorization;
  auto comma = authorization.find(", k=");
  ASSERT_NE(comma, std::string::npos);
  EXPECT_EQ(authorization.substr(comma + 4), vapid.public_key);
  auto jwt = authorization.substr(8, comma - 8);
  auto claims = decode_part(jwt.substr(jwt.find('.') + 1, jwt.rfind('.') - jwt.find('.') - 1));
  EXPECT_EQ(claims.at("aud"), "https://push.example.net:8443");
  EXPECT_EQ(claims.at("exp"), epoch_seconds(now) + 12 * 3600);
  EXPECT_EQ(claims.at("sub"), "mailto:ops@example.com");
  EXPECT_EQ(decrypt(request.body, browser, auth), R"({"a":1})");
}

TEST(VapidKeyConfig, StageDevKeepsAGeneratedKeyInDataDirAndProdRequiresOne) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("kefir-vapid-" + crypto::hex_encode(crypto::random_bytes(6)));
  Config config;
  config.data_dir = dir.string();
  config.vapid_subject = "mailto:admin@localhost";
  auto first = push::VapidKey::from_config(config);
  const auto file = dir / push::kDevVapidKeyFileName;
  ASSERT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(push::VapidKey::from_config(config)->public_key, first->public_key)
      << "the same key after a restart";
  EXPECT_EQ(b64(first->public_key), first->key.public_point());

  config.vapid_private_key = P256Key::generate().private_pem();
  EXPECT_NE(push::VapidKey::from_config(config)->public_key, first->public_key) << "the configured key wins";
  config.vapid_private_key_file = file.string();
  EXPECT_THROW(push::VapidKey::from_config(config), ConfigError) << "both set";
  config.vapid_private_key.clear();
  EXPECT_EQ(push::VapidKey::from_config(config)->public_key, first->public_key);
  config.vapid_private_key_file.clear();
  config.stage = "prod";
  EXPECT_THROW(push::VapidKey::from_config(config), ConfigError);
  std::filesystem::remove_all(dir);
}

TEST(VapidKeyConfig, TheSubjectDefaultsToMailFromsAddress) {
  auto subject_of = [](std::map<std::string, std::string> raw) {
    return load_config(std::move(raw)).vapid_subject;
  };
  EXPECT_EQ(subject_of({}), "mailto:no-reply@kefir.local");
  EXPECT_EQ(subject_of({{"MAIL_FROM", "ops@kefirproducer.com"}}), "mailto:ops@kefirproducer.com");
  EXPECT_EQ(subject_of({{"MAIL_FROM", "Kefir"}}), "mailto:admin@localhost");
  EXPECT_EQ(subject_of({{"VAPID_SUBJECT", "https://kefirproducer.com/contact"}}),
            "https://kefirproducer.com/contact");
  EXPECT_THROW(subject_of({{"VAPID_SUBJECT", "admin@example.com"}}), ConfigError);
}

}  // namespace
}  // namespace kefir::webpush
