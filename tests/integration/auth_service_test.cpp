// The sign-in use cases on the real SQLite store with a clock the test moves: rules that take minutes to
// hours of real time (hourly code limit, code expiry, refresh-token lifetime) and races that HTTP cannot aim
// at.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <set>

#include "adapters/console/console_mailer.hpp"
#include "adapters/sqlite/sqlite_item_store.hpp"
#include "auth/mail_queue.hpp"
#include "domain/keys.hpp"
#include "http/errors.hpp"
#include "services/auth_service.hpp"
#include "services/context.hpp"
#include "support/auth_helpers.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

using namespace std::chrono_literals;

const std::string& signing_key() {
  static const std::string pem = generate_rsa_pem();
  return pem;
}

class AuthServiceTest : public ::testing::Test {
 protected:
  AuthServiceTest() {
    auto clock = std::make_unique<ManualClock>();
    clock_ = clock.get();
    ctx_.config = load_config({{"DATA_DIR", dir_.str()}, {"REFRESH_REUSE_GRACE", "30"}});
    ctx_.clock = std::move(clock);
    ctx_.store = std::make_unique<store::SqliteItemStore>((dir_.path() / "kefir.db").string(), *ctx_.clock);
    ctx_.tokens =
        std::make_unique<auth::TokenService>(signing_key(), "https://kefir.test", "kefir-app", *ctx_.clock);
    ctx_.master_secret = ctx_.tokens->master_secret();
    ctx_.mailer = std::make_unique<auth::MailQueue>(
        std::make_unique<mail::ConsoleMailer>((dir_.path() / "outbox.log").string()), "console",
        ops::metrics(), auth::MailQueueOptions{.synchronous = true});
    service_ = std::make_unique<services::AuthService>(ctx_);
  }

  // Logs in and returns the mailed code ("" when nothing was sent).
  std::string login(const std::string& email) {
    auto before = count_mails(dir_.str(), email);
    service_->login(email);
    auto mails = read_outbox(dir_.str());
    std::erase_if(mails, [&](const auto& mail) { return mail.to != email; });
    return mails.size() > before ? mails.back().code : "";
  }
  services::SignedInTokens sign_in(const std::string& email) { return service_->verify(email, login(email)); }

  template <typename Call>
  static int status_of(Call call) {
    try {
      call();
    } catch (const domain::Error& error) {
      return http::from_domain(error).status();
    }
    return 200;
  }

  TempDir dir_;
  ManualClock* clock_ = nullptr;
  ServiceContext ctx_;
  std::unique_ptr<services::AuthService> service_;
};

TEST_F(AuthServiceTest, AtMostFiveCodesPerAddressPerHour) {
  auto email = unique_email("hourly");
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(login(email).empty()) << "code " << i + 1;
    clock_->advance(31s);
  }
  try {
    service_->login(email);
    FAIL() << "a sixth code within the hour";
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.failure(), domain::Failure::Throttled);
    EXPECT_EQ(error.code(), "THROTTLED");
    EXPECT_EQ(error.retry_after_seconds(), 3600 - 5 * 31);  // until the first code leaves the window
  }
  EXPECT_EQ(count_mails(dir_.str(), email), 5u);
  EXPECT_FALSE(login(unique_email("other")).empty()) << "the limit is per address";
  clock_->advance(std::chrono::seconds(3600 - 5 * 31));
  EXPECT_FALSE(login(email).empty()) << "an hour after the first code";
}

TEST_F(AuthServiceTest, ANewLoginReplacesThePreviousCode) {
  auto email = unique_email("replace");
  auto first = login(email);
  clock_->advance(31s);
  auto second = login(email);
  ASSERT_FALSE(second.empty());
  if (first != second) {  // one in a million draws repeats the code
    EXPECT_EQ(status_of([&] { service_->verify(email, first); }), 401);
  }
  EXPECT_EQ(status_of([&] { service_->verify(email, second); }), 200);
}

TEST_F(AuthServiceTest, ABurnedCodeIsReplacedByTheNextLogin) {
  auto email = unique_email("fresh");
  auto burned = login(email);
  auto wrong = burned == "000000" ? "000001" : "000000";
  for (int i = 0; i < 5; ++i) EXPECT_EQ(status_of([&] { service_->verify(email, wrong); }), 401);
  EXPECT_EQ(status_of([&] { service_->verify(email, burned); }), 401);
  clock_->advance(31s);
  auto next = login(email);
  ASSERT_FALSE(next.empty());
  EXPECT_EQ(status_of([&] { service_->verify(email, next); }), 200)
      << "the new code starts with fresh attempts";
}

TEST_F(AuthServiceTest, CodesLiveTenMinutes) {
  auto early = unique_email("early"), late = unique_email("late");
  auto early_code = login(early);
  auto late_code = login(late);
  clock_->advance(10min - 1s);
  EXPECT_EQ(status_of([&] { service_->verify(early, early_code); }), 200);
  clock_->advance(1s);
  EXPECT_EQ(status_of([&] { service_->verify(late, late_code); }), 401);
}

TEST_F(AuthServiceTest, ConcurrentFirstSignUpsMakeOneUser) {
  auto email = unique_email("race");
  constexpr int kThreads = 16;
  std::vector<std::future<std::string>> ids;
  for (int i = 0; i < kThreads; ++i)
    ids.push_back(
        std::async(std::launch::async, [&] { return service_->find_or_create_user(email).user_id; }));
  std::set<std::string> distinct;
  for (auto& id : ids) distinct.insert(id.get());
  ASSERT_EQ(distinct.size(), 1u) << "one address, one user";
  auto claim = ctx_.store->get(keys::email_claim(email));
  ASSERT_TRUE(claim);
  EXPECT_EQ(json_string(*claim, "userId"), *distinct.begin());
  EXPECT_TRUE(services::read_user_profile(*ctx_.store, *distinct.begin()));
}

TEST_F(AuthServiceTest, ConcurrentRefreshesOfOneTokenAllSucceedInsideTheGrace) {
  auto session = sign_in(unique_email("parallel"));
  std::vector<std::future<int>> answers;
  for (int i = 0; i < 6; ++i)
    answers.push_back(std::async(
        std::launch::async, [&] { return status_of([&] { service_->refresh(session.refresh_token); }); }));
  for (auto& answer : answers) EXPECT_EQ(answer.get(), 200);
}

TEST_F(AuthServiceTest, RefreshTokensLiveThirtyDaysFromTheirIssue) {
  auto session = sign_in(unique_email("lifetime"));
  clock_->advance(std::chrono::hours(24 * 29));
  auto renewed = service_->refresh(session.refresh_token).refresh_token;
  clock_->advance(std::chrono::hours(24 * 29));  // 58 days after sign-in, 29 after the rotation
  auto again = service_->refresh(renewed).refresh_token;
  clock_->advance(std::chrono::hours(24 * 30) + 1s);
  EXPECT_EQ(status_of([&] { service_->refresh(again); }), 401);
}

TEST_F(AuthServiceTest, TheOldestSessionGivesWayBeyondTwenty) {
  auto email = unique_email("devices");
  std::vector<std::string> refresh_tokens;
  for (std::size_t i = 0; i <= services::kMaxSessionsPerUser; ++i) {
    refresh_tokens.push_back(sign_in(email).refresh_token);
    clock_->advance(13min);  // stays under five codes an hour
  }
  EXPECT_EQ(status_of([&] { service_->refresh(refresh_tokens.front()); }), 401);
  EXPECT_EQ(status_of([&] { service_->refresh(refresh_tokens[1]); }), 200);
  EXPECT_EQ(status_of([&] { service_->refresh(refresh_tokens.back()); }), 200);
}

TEST_F(AuthServiceTest, DeletingAnAccountRunsEveryDomainsHookAndLeavesNothingOfIt) {
  std::vector<std::string> deleted;
  ctx_.hooks.account_deleted.push_back([&](const std::string& user_id) { deleted.push_back(user_id); });
  auto email = unique_email("gone");
  auto session = sign_in(email);
  service_->delete_account(session.user.user_id);
  EXPECT_EQ(deleted, std::vector<std::string>{session.user.user_id});
  EXPECT_FALSE(ctx_.store->get(keys::user_profile(session.user.user_id)));
  EXPECT_FALSE(ctx_.store->get(keys::email_claim(email)));
  EXPECT_FALSE(ctx_.store->get(keys::otp_challenge(email)));
  EXPECT_EQ(status_of([&] { service_->refresh(session.refresh_token); }), 401);
}

}  // namespace
}  // namespace kefir::test
