// Access tokens through the real server: what the API accepts and every way a token is refused (SPEC §2), the
// JWKS and discovery documents, and how the signing key is kept and configured.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/token_service.hpp"
#include "support/auth_helpers.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/test_env.hpp"
#include "util/crypto.hpp"
#include "util/ids.hpp"

namespace kefir::test {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class AuthTokensTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    session_ = new SignedIn(sign_in(*server_, unique_email("tokens")));
    server_key_ =
        new std::string(read_file(std::filesystem::path(server_->data_dir()) / "jwt-signing-key.pem"));
  }
  static void TearDownTestSuite() {
    delete session_;
    delete server_key_;
    delete server_;
  }

  std::string kid() const { return std::string(jwt_header(session_->access_token).at("kid").as_string()); }
  boost::json::object valid_claims() const {
    auto now = unix_now();
    return {{"iss", server_->base_url()},
            {"sub", session_->user_id},
            {"token_use", "access"},
            {"client_id", "kefir-app"},
            {"iat", now},
            {"exp", now + 3600},
            {"jti", uuid_v4()}};
  }
  boost::json::object header(std::string_view alg) const {
    return {{"alg", alg}, {"kid", kid()}, {"typ", "JWT"}};
  }
  std::string ours(const boost::json::object& claims) const {
    return forge_jwt(header("RS256"), claims, JwtAlg::rs256, *server_key_);
  }

  HttpResponse me_with(const std::string& authorization) const {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!authorization.empty()) headers.emplace_back("Authorization", authorization);
    return ApiClient(server_->base_url()).get("/me", headers);
  }

  void expect_refused(const std::string& authorization, const std::string& what) const {
    auto response = me_with(authorization);
    EXPECT_EQ(response.status, 401) << what << ": " << response.body;
    if (response.status != 401) return;
    auto body = response.json().as_object();
    EXPECT_EQ(body.at("code"), "UNAUTHORIZED") << what;
    EXPECT_TRUE(body.at("error").is_string()) << what;
    EXPECT_NE(response.header("www-authenticate").find("Bearer"), std::string::npos) << what;
  }

  static ServerProcess* server_;
  static SignedIn* session_;
  static std::string* server_key_;
};
ServerProcess* AuthTokensTest::server_ = nullptr;
SignedIn* AuthTokensTest::session_ = nullptr;
std::string* AuthTokensTest::server_key_ = nullptr;

TEST_F(AuthTokensTest, AccessTokenOpensTheApi) {
  auto response = me_with("Bearer " + session_->access_token);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.json().at("user").at("userId").as_string(), session_->user_id);
  // A token we forge with the server's own key and valid claims is accepted too: the checks below refuse
  // because of the one thing each changes, not because hand-made tokens differ.
  EXPECT_EQ(me_with("Bearer " + ours(valid_claims())).status, 200);
  EXPECT_EQ(me_with("bearer " + session_->access_token).status, 200);
}

TEST_F(AuthTokensTest, MissingOrMalformedAuthorizationIsRefused) {
  expect_refused("", "no header");
  expect_refused("Basic dXNlcjpwYXNz", "basic auth");
  expect_refused("Bearer", "no token");
  expect_refused("Bearer not-a-jwt", "garbage");
  expect_refused(session_->access_token, "no scheme");
  expect_refused("Bearer " + session_->access_token + "x", "trailing byte");
}

TEST_F(AuthTokensTest, OtherAlgorithmsAreRefused) {
  auto claims = valid_claims();
  expect_refused("Bearer " + forge_jwt(header("none"), claims, JwtAlg::none, ""), "alg none");
  expect_refused("Bearer " + forge_jwt({{"alg", "none"}}, claims, JwtAlg::none, ""), "alg none without kid");
  expect_refused("Bearer " + forge_jwt(header("HS256"), claims, JwtAlg::hs256, "secret"), "HS256");
  expect_refused("Bearer " + forge_jwt(header("HS256"), claims, JwtAlg::hs256, public_key_pem(*server_key_)),
                 "HS256 keyed with our public key");
  expect_refused("Bearer " + forge_jwt(header("ES256"), claims, JwtAlg::es256, generate_p256_pem()), "ES256");
  expect_refused("Bearer " + forge_jwt(header("RS256"), claims, JwtAlg::rs256, generate_rsa_pem()),
                 "RS256 by a foreign key under our kid");
  expect_refused("Bearer " + forge_jwt(header("RS384"), claims, JwtAlg::rs256, *server_key_),
                 "our signature under another alg name");
}

TEST_F(AuthTokensTest, BadSignatureIsRefused) {
  auto token = session_->access_token;
  auto last_dot = token.rfind('.');
  token[last_dot + 5] = token[last_dot + 5] == 'A' ? 'B' : 'A';
  expect_refused("Bearer " + token, "flipped signature byte");
  auto claims = jwt_claims(session_->access_token);
  claims["sub"] = "someone-else";
  auto first_dot = token.find('.');
  auto swapped = session_->access_token.substr(0, first_dot + 1) +
                 crypto::base64url_encode(boost::json::serialize(claims)) +
                 session_->access_token.substr(session_->access_token.rfind('.'));
  expect_refused("Bearer " + swapped, "claims swapped under the original signature");
}

TEST_F(AuthTokensTest, WrongClaimsAreRefused) {
  auto with = [&](std::string_view name, boost::json::value value) {
    auto claims = valid_claims();
    claims[name] = std::move(value);
    return "Bearer " + ours(claims);
  };
  expect_refused(with("iss", "https://issuer.example"), "wrong iss");
  expect_refused(with("token_use", "id"), "token_use id");
  expect_refused(with("token_use", "refresh"), "token_use refresh");
  expect_refused(with("client_id", "another-app"), "wrong client_id");
  expect_refused("Bearer " + session_->id_token, "our own id token");
}

TEST_F(AuthTokensTest, ExpiryAllowsThirtySecondsOfLeeway) {
  auto now = unix_now();
  auto claims = valid_claims();
  claims["iat"] = now - 3600;
  claims["exp"] = now - 10;
  EXPECT_EQ(me_with("Bearer " + ours(claims)).status, 200) << "inside the 30 s leeway";
  claims["exp"] = now - 45;
  expect_refused("Bearer " + ours(claims), "expired beyond the leeway");
}

TEST_F(AuthTokensTest, JwksAndDiscoveryDescribeTheKeys) {
  ApiClient anonymous(server_->base_url());
  auto discovery = anonymous.get("/.well-known/openid-configuration");
  ASSERT_EQ(discovery.status, 200);
  auto document = discovery.json().as_object();
  EXPECT_EQ(document.at("issuer").as_string(), server_->base_url());
  EXPECT_EQ(document.at("issuer").as_string(), jwt_claims(session_->access_token).at("iss").as_string());
  EXPECT_EQ(document.at("jwks_uri").as_string(), server_->base_url() + "/.well-known/jwks.json");
  EXPECT_EQ(document.at("id_token_signing_alg_values_supported"), boost::json::array{"RS256"});

  auto jwks = anonymous.get("/.well-known/jwks.json");
  ASSERT_EQ(jwks.status, 200);
  auto keys = jwks.json().at("keys").as_array();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].at("kid").as_string(), kid());
  EXPECT_EQ(keys[0].at("kty"), "RSA");
  EXPECT_FALSE(keys[0].as_object().contains("d"));
}

TEST(AuthSigningKey, StageDevKeepsItsKeyPrivateAndAcrossRestarts) {
  TempDir data;
  std::string token;
  std::string kid;
  // Tokens are bound to PUBLIC_BASE_URL through iss; keep it while the port changes.
  std::map<std::string, std::string> env{{"DATA_DIR", data.str()}, {"PUBLIC_BASE_URL", "http://kefir.test"}};
  {
    ServerProcess server({.env = env});
    token = sign_in(server, unique_email("restart")).access_token;
    kid = std::string(jwt_header(token).at("kid").as_string());
    server.terminate();
  }
  struct stat info {};
  ASSERT_EQ(::stat((data.path() / "jwt-signing-key.pem").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ServerProcess again({.env = env});
  EXPECT_EQ(ApiClient(again.base_url(), token).get("/me").status, 200);
  auto jwks = ApiClient(again.base_url()).get("/.well-known/jwks.json").json();
  EXPECT_EQ(jwks.at("keys").at(0).at("kid").as_string(), kid);
}

TEST(AuthSigningKey, KeygenWritesAKeyTheServerSignsWith) {
  TempDir dir;
  auto key_path = dir.path() / "signing.pem";
  auto generated = run_kefir({"keygen", key_path.string()}, {});
  ASSERT_EQ(generated.exit_code, 0) << generated.err;
  struct stat info {};
  ASSERT_EQ(::stat(key_path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto key = read_file(key_path);
  EXPECT_NE(key.find("BEGIN PRIVATE KEY"), std::string::npos);
  auto again = run_kefir({"keygen", key_path.string()}, {});
  EXPECT_NE(again.exit_code, 0) << "an existing key file must not be replaced";
  EXPECT_EQ(read_file(key_path), key);

  ServerProcess server({.env = {{"JWT_PRIVATE_KEY_FILE", key_path.string()}}});
  auto token = sign_in(server, unique_email("keyfile")).access_token;
  EXPECT_EQ(ApiClient(server.base_url(), token).get("/me").status, 200);
  // Signed by the key in that file: a verifier holding only that key accepts the token.
  SystemClock clock;
  auth::TokenService holder(key, server.base_url(), "kefir-app", clock);
  EXPECT_TRUE(holder.verify_access_token(token));
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(server.data_dir()) / "jwt-signing-key.pem"));
}

TEST(AuthSigningKey, PemTextInTheEnvironmentAndUnusableKeys) {
  TempDir dir;
  // PKCS#1, from stdout of `kefir keygen`, passed as the PEM text itself (the Lambda way).
  auto printed = run_kefir({"keygen"}, {});
  ASSERT_EQ(printed.exit_code, 0);
  ServerProcess server({.env = {{"JWT_PRIVATE_KEY", to_pkcs1_pem(printed.out)}}});
  EXPECT_EQ(
      ApiClient(server.base_url(), sign_in(server, unique_email("pem-env")).access_token).get("/me").status,
      200);

  std::ofstream(dir.path() / "garbage.pem")
      << "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n";
  for (const auto& bad : {(dir.path() / "missing.pem").string(), (dir.path() / "garbage.pem").string()}) {
    TempDir data;
    auto result =
        run_kefir({"serve"},
                  {{"STAGE", "dev"}, {"PORT", "0"}, {"DATA_DIR", data.str()}, {"JWT_PRIVATE_KEY_FILE", bad}});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("JWT_PRIVATE_KEY_FILE"), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
}

TEST(AuthSigningKey, StageProdRequiresAKey) {
  TempDir data;
  auto result = run_kefir({"serve"}, {{"STAGE", "prod"},
                                      {"PORT", "0"},
                                      {"DATA_DIR", data.str()},
                                      {"SMTP_URL", "smtp://127.0.0.1:2525"},
                                      {"PUBLIC_BASE_URL", "https://api.kefir.test"}});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("JWT_PRIVATE_KEY"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(data.path() / "jwt-signing-key.pem"));
}

}  // namespace
}  // namespace kefir::test
