// Stage rules through the real binary (SPEC §11): in prod every missing essential stops start-up with one
// clear line naming it and exit code 2; `kefir reset` refuses in prod and changes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/auth_helpers.hpp"
#include "support/server_process.hpp"
#include "support/test_env.hpp"
#include "util/web_push_crypto.hpp"

namespace kefir::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::map<std::string, std::string> complete_prod_env(const TempDir& data_dir, const std::string& key_file) {
  return {{"STAGE", "prod"},
          {"PORT", "0"},
          {"DATA_DIR", data_dir.str()},
          {"JWT_PRIVATE_KEY_FILE", key_file},
          {"VAPID_PRIVATE_KEY", webpush::P256Key::generate().private_pem()},
          {"SMTP_URL", "smtp://127.0.0.1:9"},
          {"PUBLIC_BASE_URL", "https://api.kefirproducer.com"},
          {"CORS_ORIGINS", "https://kefirproducer.com"}};
}

std::string write_key(const TempDir& dir) {
  auto path = (dir.path() / "signing-key.pem").string();
  std::ofstream(path) << generate_rsa_pem();
  return path;
}

std::size_t line_count(const std::string& text) {
  return std::count(text.begin(), text.end(), '\n');
}

struct Missing {
  std::string variable;  // removed from (or emptied in) the complete environment
  std::string named;     // what the error line must name
};

class ProdStartupRefusal : public ::testing::TestWithParam<Missing> {};

TEST_P(ProdStartupRefusal, NamesTheMissingItemOnOneLineAndExitsWith2) {
  TempDir data_dir, keys;
  auto env = complete_prod_env(data_dir, write_key(keys));
  env[GetParam().variable] = "";  // set but empty: an inherited variable cannot fill it in
  auto result = run_kefir({"serve"}, env, std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(line_count(result.err), 1u) << result.err;
  EXPECT_THAT(result.err, HasSubstr(GetParam().named));
  EXPECT_THAT(result.err, HasSubstr("prod"));
  EXPECT_TRUE(std::filesystem::is_empty(data_dir.path())) << "refused before touching DATA_DIR";
}

INSTANTIATE_TEST_SUITE_P(EachEssential, ProdStartupRefusal,
                         ::testing::Values(Missing{"JWT_PRIVATE_KEY_FILE", "JWT_PRIVATE_KEY"},
                                           Missing{"VAPID_PRIVATE_KEY", "VAPID_PRIVATE_KEY"},
                                           Missing{"SMTP_URL", "SMTP_URL"},
                                           Missing{"PUBLIC_BASE_URL", "PUBLIC_BASE_URL"},
                                           Missing{"CORS_ORIGINS", "CORS_ORIGINS"}),
                         [](const auto& info) { return info.param.variable; });

TEST(ProdStartup, EverythingMissingIsStillOneLineNamingAll) {
  TempDir data_dir;
  auto result = run_kefir({"serve"}, {{"STAGE", "prod"}, {"DATA_DIR", data_dir.str()}, {"CORS_ORIGINS", ""}},
                          std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(line_count(result.err), 1u) << result.err;
  for (const char* name :
       {"JWT_PRIVATE_KEY", "VAPID_PRIVATE_KEY", "SMTP_URL", "PUBLIC_BASE_URL", "CORS_ORIGINS"})
    EXPECT_THAT(result.err, HasSubstr(name));
}

TEST(ProdStartup, AVapidKeyThatIsNotP256OrASubjectThatIsNoUrlIsOneLineAndExit2) {
  TempDir data_dir, keys;
  for (auto [variable, value] : std::vector<std::pair<std::string, std::string>>{
           {"VAPID_PRIVATE_KEY", generate_rsa_pem()}, {"VAPID_SUBJECT", "admin@example.com"}}) {
    auto env = complete_prod_env(data_dir, write_key(keys));
    env[variable] = value;
    auto result = run_kefir({"serve"}, env, std::chrono::seconds(30));
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_EQ(line_count(result.err), 1u) << result.err;
    EXPECT_THAT(result.err, HasSubstr(variable));
    std::filesystem::remove(keys.path() / "signing-key.pem");
  }
}

TEST(ProdStartup, UnreadableKeyFileIsOneLineAndExit2) {
  TempDir data_dir;
  auto env = complete_prod_env(data_dir, (data_dir.path() / "no-such-key.pem").string());
  auto result = run_kefir({"serve"}, env, std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(line_count(result.err), 1u) << result.err;
  EXPECT_THAT(result.err, HasSubstr("no-such-key.pem"));
}

TEST(ProdStartup, CompleteConfigurationServes) {
  TempDir data_dir, keys;
  ServerProcess server({.env = complete_prod_env(data_dir, write_key(keys))});
  EXPECT_TRUE(server.running());
  EXPECT_EQ(server.terminate(), 0);
}

TEST(Reset, RefusedInProdChangingNothing) {
  TempDir data_dir, keys;
  auto env = complete_prod_env(data_dir, write_key(keys));
  {
    ServerProcess server({.env = env});  // creates the store
  }
  auto before = std::distance(std::filesystem::directory_iterator(data_dir.path()), {});
  ASSERT_GT(before, 0);
  auto result = run_kefir({"reset"}, env);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("refused in stage prod"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(data_dir.path()), {}), before);
  EXPECT_TRUE(std::filesystem::exists(data_dir.path() / "kefir.db"));
}

TEST(Reset, DevDeletesEverythingInDataDirButNotWhileServing) {
  TempDir data_dir;
  std::map<std::string, std::string> env = {{"DATA_DIR", data_dir.str()}, {"STAGE", "dev"}};
  {
    ServerProcess server({.env = env});
    auto busy = run_kefir({"reset"}, env);
    EXPECT_NE(busy.exit_code, 0);
    EXPECT_THAT(busy.err, HasSubstr("in use"));
    EXPECT_TRUE(std::filesystem::exists(data_dir.path() / "kefir.db"));
    EXPECT_EQ(server.terminate(), 0);
  }
  auto result = run_kefir({"reset"}, env);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(std::filesystem::is_empty(data_dir.path()));
  EXPECT_THAT(result.out, Not(HasSubstr("0 files removed")));
}

}  // namespace
}  // namespace kefir::test
