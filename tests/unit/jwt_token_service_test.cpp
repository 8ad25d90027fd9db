// TokenService: what it signs, what it accepts, key loading and the verified-token cache (SPEC §2).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "auth/token_service.hpp"
#include "support/auth_helpers.hpp"
#include "support/test_env.hpp"
#include "util/crypto.hpp"
#include "util/ids.hpp"

namespace kefir::test {
namespace {

using auth::TokenService;

const std::string kIssuer = "https://api.example.test";
const std::string kClient = "kefir-app";

// Key generation is the slow part of these tests: one key for the suite.
const std::string& shared_key() {
  static const std::string pem = generate_rsa_pem();
  return pem;
}

class TokenServiceTest : public ::testing::Test {
 protected:
  ManualClock clock;
  TokenService tokens{shared_key(), kIssuer, kClient, clock};

  boost::json::object valid_claims() const {
    auto now = epoch_seconds(clock.now());
    return {{"iss", kIssuer}, {"sub", "user-1"},   {"token_use", "access"}, {"client_id", kClient},
            {"iat", now},     {"exp", now + 3600}, {"jti", uuid_v4()}};
  }
  boost::json::object our_header() const {
    return {{"alg", "RS256"}, {"kid", tokens.signing_kid()}, {"typ", "JWT"}};
  }
  std::string signed_by_us(const boost::json::object& claims) const {
    return forge_jwt(our_header(), claims, JwtAlg::rs256, shared_key());
  }
};

TEST_F(TokenServiceTest, AccessTokenCarriesTheSpecClaimsAndVerifies) {
  auto token = tokens.issue_access_token("user-1");
  auto header = jwt_header(token);
  EXPECT_EQ(header.at("alg"), "RS256");
  EXPECT_EQ(header.at("kid").as_string(), tokens.signing_kid());
  auto claims = jwt_claims(token);
  EXPECT_EQ(claims.at("iss").as_string(), kIssuer);
  EXPECT_EQ(claims.at("sub"), "user-1");
  EXPECT_EQ(claims.at("token_use"), "access");
  EXPECT_EQ(claims.at("client_id").as_string(), kClient);
  EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), 3600);
  EXPECT_EQ(claims.at("iat").as_int64(), epoch_seconds(clock.now()));
  EXPECT_TRUE(is_uuid(claims.at("jti").as_string()));
  EXPECT_FALSE(claims.contains("email"));

  auto verified = tokens.verify_access_token(token);
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified->user_id, "user-1");
  EXPECT_EQ(verified->expires_at, claims.at("exp").as_int64());
}

TEST_F(TokenServiceTest, IdTokenCarriesAudienceAndEmailAndIsNotAnAccessToken) {
  auto token = tokens.issue_id_token("user-1", "alice@example.com", true);
  auto claims = jwt_claims(token);
  EXPECT_EQ(claims.at("token_use"), "id");
  EXPECT_EQ(claims.at("aud").as_string(), kClient);
  EXPECT_EQ(claims.at("email"), "alice@example.com");
  EXPECT_EQ(claims.at("email_verified"), true);
  EXPECT_FALSE(claims.contains("client_id"));
  EXPECT_FALSE(tokens.verify_access_token(token));
  EXPECT_FALSE(tokens.verify_access_token_uncached(token));
}

TEST_F(TokenServiceTest, EveryJtiIsNew) {
  EXPECT_NE(jwt_claims(tokens.issue_access_token("u")).at("jti"),
            jwt_claims(tokens.issue_access_token("u")).at("jti"));
}

TEST_F(TokenServiceTest, ExpiryHasThirtySecondsOfLeewayAndTheCacheHonoursIt) {
  auto token = tokens.issue_access_token("user-1");
  ASSERT_TRUE(tokens.verify_access_token(token));  // now cached
  clock.advance(std::chrono::seconds(3600 + 29));
  EXPECT_TRUE(tokens.verify_access_token(token));
  EXPECT_TRUE(tokens.verify_access_token_uncached(token));
  clock.advance(std::chrono::seconds(1));
  EXPECT_FALSE(tokens.verify_access_token(token));
  EXPECT_FALSE(tokens.verify_access_token_uncached(token));
}

// The cache is keyed by the whole token and matches only an equal one: a cached token's signature on another
// payload, or any changed byte, is checked (and refused) like an uncached token.
TEST_F(TokenServiceTest, TheCacheMatchesOnlyTheWholeToken) {
  auto token = tokens.issue_access_token("user-1");
  ASSERT_TRUE(tokens.verify_access_token(token));  // now cached
  auto first_dot = token.find('.');
  auto last_dot = token.rfind('.');
  auto other = tokens.issue_access_token("user-2");
  auto forged =
      other.substr(0, other.rfind('.')) + token.substr(last_dot);  // user-2's claims, user-1's signature
  EXPECT_FALSE(tokens.verify_access_token(forged));
  auto altered = token;
  altered[first_dot + 5] = altered[first_dot + 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(tokens.verify_access_token(altered));
  EXPECT_EQ(tokens.verify_access_token(token)->user_id, "user-1");
  EXPECT_EQ(tokens.verify_access_token(other)->user_id, "user-2");
}

// The revocation mark as a store would hold it, counting how often it is read.
struct MarkSource {
  std::map<std::string, std::int64_t> marks;
  int reads = 0;
  auth::TokensNotBefore source() {
    return [this](const std::string& user_id) -> std::optional<std::int64_t> {
      ++reads;
      auto found = marks.find(user_id);
      if (found == marks.end()) return std::nullopt;
      return found->second;
    };
  }
};

TEST_F(TokenServiceTest, TokensIssuedBeforeTheUsersMarkAreRefusedAndLaterOnesAccepted) {
  MarkSource store;
  tokens.set_tokens_not_before(store.source());
  auto before = tokens.issue_access_token("user-1");
  auto other_user = tokens.issue_access_token("user-2");
  clock.advance(std::chrono::milliseconds(1));
  store.marks["user-1"] = epoch_millis(clock.now());
  // Same second, a millisecond later: iat_ms tells it apart from the token before the mark.
  auto after = tokens.issue_access_token("user-1");
  EXPECT_FALSE(tokens.verify_access_token(before));
  EXPECT_FALSE(tokens.verify_access_token_uncached(before));
  EXPECT_TRUE(tokens.verify_access_token(after));
  EXPECT_TRUE(tokens.verify_access_token(other_user));
}

TEST_F(TokenServiceTest, ACachedTokenReadsItsMarkOncePerRecheckIntervalAndFallsWhenOneAppears) {
  MarkSource store;
  tokens.set_tokens_not_before(store.source());
  auto token = tokens.issue_access_token("user-1");
  ASSERT_TRUE(tokens.verify_access_token(token));
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(tokens.verify_access_token(token));
  EXPECT_EQ(store.reads, 1) << "cache hits read no mark";

  clock.advance(std::chrono::seconds(1));
  store.marks["user-1"] = epoch_millis(clock.now());  // written by another instance
  EXPECT_TRUE(tokens.verify_access_token(token)) << "not yet rechecked";
  clock.advance(auth::kRevocationRecheck);
  EXPECT_FALSE(tokens.verify_access_token(token));
  for (int i = 0; i < 100; ++i) ASSERT_FALSE(tokens.verify_access_token(token));
  EXPECT_EQ(store.reads, 2) << "a revoked token is remembered as such";
}

TEST_F(TokenServiceTest, TheInstanceThatRevokesRefusesCachedTokensAtOnce) {
  MarkSource store;
  tokens.set_tokens_not_before(store.source());
  auto token = tokens.issue_access_token("user-1");
  ASSERT_TRUE(tokens.verify_access_token(token));
  clock.advance(std::chrono::milliseconds(5));
  store.marks["user-1"] = epoch_millis(clock.now());
  tokens.revoke_tokens_before("user-1", store.marks["user-1"]);
  EXPECT_FALSE(tokens.verify_access_token(token));
}

TEST_F(TokenServiceTest, ClaimsOtherThanOursAreRejected) {
  auto now = epoch_seconds(clock.now());
  auto with = [&](std::string_view name, boost::json::value value) {
    auto claims = valid_claims();
    claims[name] = std::move(value);
    return signed_by_us(claims);
  };
  auto without = [&](std::string_view name) {
    auto claims = valid_claims();
    claims.erase(name);
    return signed_by_us(claims);
  };
  ASSERT_TRUE(tokens.verify_access_token(signed_by_us(valid_claims())));
  EXPECT_FALSE(tokens.verify_access_token(with("iss", "https://evil.example")));
  EXPECT_FALSE(tokens.verify_access_token(with("iss", boost::json::string(kIssuer + "/"))));
  EXPECT_FALSE(tokens.verify_access_token(with("token_use", "id")));
  EXPECT_FALSE(tokens.verify_access_token(with("client_id", "another-app")));
  EXPECT_FALSE(tokens.verify_access_token(with("sub", "")));
  EXPECT_FALSE(tokens.verify_access_token(with("exp", "never")));
  EXPECT_FALSE(tokens.verify_access_token(with("iat", now + 120)));  // issued in the future
  EXPECT_FALSE(tokens.verify_access_token(with("nbf", now + 120)));
  EXPECT_TRUE(tokens.verify_access_token(with("nbf", now - 1)));
  EXPECT_FALSE(tokens.verify_access_token(without("sub")));
  EXPECT_FALSE(tokens.verify_access_token(without("exp")));
  EXPECT_FALSE(tokens.verify_access_token(without("token_use")));
}

TEST_F(TokenServiceTest, OnlyRs256ByOurKeysIsAccepted) {
  auto claims = valid_claims();
  auto header_for = [&](std::string_view alg) {
    return boost::json::object{{"alg", alg}, {"kid", tokens.signing_kid()}, {"typ", "JWT"}};
  };
  EXPECT_FALSE(tokens.verify_access_token(forge_jwt(header_for("none"), claims, JwtAlg::none, "")));
  EXPECT_FALSE(tokens.verify_access_token(forge_jwt(header_for("HS256"), claims, JwtAlg::hs256, "secret")));
  // The classic confusion attack: HMAC keyed with the verifier's public key.
  EXPECT_FALSE(tokens.verify_access_token(
      forge_jwt(header_for("HS256"), claims, JwtAlg::hs256, public_key_pem(shared_key()))));
  EXPECT_FALSE(
      tokens.verify_access_token(forge_jwt(header_for("ES256"), claims, JwtAlg::es256, generate_p256_pem())));
  // A foreign RSA key that claims our kid.
  EXPECT_FALSE(
      tokens.verify_access_token(forge_jwt(header_for("RS256"), claims, JwtAlg::rs256, generate_rsa_pem())));
  // Our key, but the header names another kid, or none, or carries a critical extension.
  EXPECT_FALSE(tokens.verify_access_token(
      forge_jwt({{"alg", "RS256"}, {"kid", "someone-else"}}, claims, JwtAlg::rs256, shared_key())));
  EXPECT_FALSE(
      tokens.verify_access_token(forge_jwt({{"alg", "RS256"}}, claims, JwtAlg::rs256, shared_key())));
  EXPECT_FALSE(tokens.verify_access_token(
      forge_jwt({{"alg", "RS256"}, {"kid", tokens.signing_kid()}, {"crit", boost::json::array{"exp"}}},
                claims, JwtAlg::rs256, shared_key())));
  // The same key in a differently written header is still ours.
  EXPECT_TRUE(tokens.verify_access_token(
      forge_jwt({{"kid", tokens.signing_kid()}, {"alg", "RS256"}}, claims, JwtAlg::rs256, shared_key())));
}

TEST_F(TokenServiceTest, TamperingBreaksTheSignature) {
  auto token = tokens.issue_access_token("user-1");
  auto first_dot = token.find('.');
  auto second_dot = token.find('.', first_dot + 1);
  // Another subject under the original signature.
  auto claims = jwt_claims(token);
  claims["sub"] = "user-2";
  auto swapped = token.substr(0, first_dot + 1) + crypto::base64url_encode(boost::json::serialize(claims)) +
                 token.substr(second_dot);
  EXPECT_FALSE(tokens.verify_access_token(swapped));
  auto flipped = token;
  flipped[second_dot + 10] = flipped[second_dot + 10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(tokens.verify_access_token(flipped));
  EXPECT_FALSE(tokens.verify_access_token(token.substr(0, token.size() - 2)));
  for (std::string_view garbage : {"", ".", "..", "a.b.c", "a.b", "a.b.c.d", "%%%.%%%.%%%"})
    EXPECT_FALSE(tokens.verify_access_token(garbage)) << garbage;
  EXPECT_TRUE(tokens.verify_access_token(token));
}

TEST_F(TokenServiceTest, JwksListsThePublicKeyOnly) {
  auto jwks = tokens.jwks();
  const auto& keys = jwks.at("keys").as_array();
  ASSERT_EQ(keys.size(), 1u);
  const auto& key = keys[0].as_object();
  EXPECT_EQ(key.at("kty"), "RSA");
  EXPECT_EQ(key.at("alg"), "RS256");
  EXPECT_EQ(key.at("use"), "sig");
  EXPECT_EQ(key.at("kid").as_string(), tokens.signing_kid());
  EXPECT_EQ(key.at("e"), "AQAB");
  std::string modulus;
  ASSERT_TRUE(crypto::base64url_decode(key.at("n").as_string(), modulus));
  EXPECT_EQ(modulus.size(), 256u);
  for (const char* secret : {"d", "p", "q", "dp", "dq", "qi"}) EXPECT_FALSE(key.contains(secret));
}

TEST_F(TokenServiceTest, MasterSecretFollowsTheKey) {
  ManualClock other_clock;
  TokenService same(shared_key(), "https://elsewhere", "x", other_clock);
  EXPECT_EQ(same.master_secret(), tokens.master_secret());
  EXPECT_EQ(same.signing_kid(), tokens.signing_kid());
  EXPECT_EQ(tokens.master_secret().size(), 32u);
  TokenService other(generate_rsa_pem(), kIssuer, kClient, other_clock);
  EXPECT_NE(other.master_secret(), tokens.master_secret());
  EXPECT_NE(other.signing_kid(), tokens.signing_kid());
}

TEST(TokenServiceKeys, PemWithSeveralKeysSignsWithTheFirstAndAcceptsAll) {
  ManualClock clock;
  std::string retired = generate_rsa_pem();
  TokenService before(retired, kIssuer, kClient, clock);
  auto old_token = before.issue_access_token("user-1");
  TokenService rotated(shared_key() + retired, kIssuer, kClient, clock);
  EXPECT_NE(rotated.signing_kid(), before.signing_kid());
  EXPECT_EQ(rotated.jwks().at("keys").as_array().size(), 2u);
  EXPECT_TRUE(rotated.verify_access_token(old_token));
  EXPECT_EQ(jwt_header(rotated.issue_access_token("u")).at("kid").as_string(), rotated.signing_kid());
}

TEST(TokenServiceKeys, AcceptsPkcs1AndRejectsUnusableKeys) {
  ManualClock clock;
  TokenService pkcs8(shared_key(), kIssuer, kClient, clock);
  auto pkcs1_pem = to_pkcs1_pem(shared_key());
  ASSERT_NE(pkcs1_pem.find("BEGIN RSA PRIVATE KEY"), std::string::npos);
  TokenService pkcs1(pkcs1_pem, kIssuer, kClient, clock);
  EXPECT_EQ(pkcs1.signing_kid(), pkcs8.signing_kid());

  EXPECT_THROW(TokenService("", kIssuer, kClient, clock), ConfigError);
  EXPECT_THROW(TokenService("not a key", kIssuer, kClient, clock), ConfigError);
  EXPECT_THROW(TokenService(public_key_pem(shared_key()), kIssuer, kClient, clock), ConfigError);
  EXPECT_THROW(TokenService(generate_p256_pem(), kIssuer, kClient, clock), ConfigError);
  EXPECT_THROW(TokenService(generate_rsa_pem(1024), kIssuer, kClient, clock), ConfigError);
  auto broken = shared_key();
  broken[broken.size() / 2] = broken[broken.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_THROW(TokenService(broken, kIssuer, kClient, clock), ConfigError);
}

Config dev_config(const std::string& data_dir) {
  auto config = load_config({{"DATA_DIR", data_dir}});
  config.public_base_url = kIssuer;
  return config;
}

TEST(TokenServiceConfig, StageDevGeneratesAPrivateKeyFileAndKeepsIt) {
  TempDir dir;
  ManualClock clock;
  auto first = TokenService::from_config(dev_config(dir.str()), clock);
  auto path = dir.path() / "jwt-signing-key.pem";
  ASSERT_TRUE(std::filesystem::exists(path));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto second = TokenService::from_config(dev_config(dir.str()), clock);
  EXPECT_EQ(first->signing_kid(), second->signing_kid());
  EXPECT_EQ(first->issuer(), kIssuer);
  // Nothing else is left behind (the temporary file of the atomic write).
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(TokenServiceConfig, KeyFromEnvironmentTextOrFile) {
  TempDir dir;
  ManualClock clock;
  auto config = dev_config(dir.str());
  std::string escaped;
  for (char c : shared_key()) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  config.jwt_private_key = escaped;  // as a Lambda environment variable often carries it
  auto from_text = TokenService::from_config(config, clock);
  config.jwt_private_key.clear();
  config.jwt_private_key_file = (dir.path() / "key.pem").string();
  std::ofstream(config.jwt_private_key_file) << shared_key();
  auto from_file = TokenService::from_config(config, clock);
  EXPECT_EQ(from_text->signing_kid(), from_file->signing_kid());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "jwt-signing-key.pem"));
}

TEST(TokenServiceConfig, BadKeyConfigurationIsAConfigErrorNamingTheOption) {
  TempDir dir;
  ManualClock clock;
  auto expect_error = [&](const Config& config, const std::string& fragment) {
    try {
      TokenService::from_config(config, clock);
      ADD_FAILURE() << "no error; expected one mentioning " << fragment;
    } catch (const ConfigError& error) {
      EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
    }
  };
  auto config = dev_config(dir.str());
  config.jwt_private_key_file = (dir.path() / "missing.pem").string();
  expect_error(config, "JWT_PRIVATE_KEY_FILE");
  std::ofstream(dir.path() / "garbage.pem") << "garbage";
  config.jwt_private_key_file = (dir.path() / "garbage.pem").string();
  expect_error(config, "JWT_PRIVATE_KEY_FILE");
  config.jwt_private_key = shared_key();
  expect_error(config, "only one");
  config = dev_config(dir.str());
  config.stage = "prod";
  expect_error(config, "JWT_PRIVATE_KEY");
}

TEST(TokenServiceCache, StaysBoundedAndStillVerifies) {
  ManualClock clock;
  TokenService small(shared_key(), kIssuer, kClient, clock, 32);
  std::vector<std::string> issued;
  for (int i = 0; i < 200; ++i) issued.push_back(small.issue_access_token("user-" + std::to_string(i)));
  for (int round = 0; round < 2; ++round)
    for (std::size_t i = 0; i < issued.size(); ++i) {
      auto verified = small.verify_access_token(issued[i]);
      ASSERT_TRUE(verified);
      EXPECT_EQ(verified->user_id, "user-" + std::to_string(i));
    }
}

}  // namespace
}  // namespace kefir::test
