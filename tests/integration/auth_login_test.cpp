// Sign-in with one-time codes through the real server (SPEC §2): the same answer for every address, codes
// that burn and work once, the resend cooldown, per-client limits, concurrent first sign-ins and login
// timing.
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <set>
#include <thread>

#include "support/auth_helpers.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace kefir::test {
namespace {

using namespace std::chrono_literals;

// Each test gets its own server: the per-client limits are per process and these tests spend them.
class AuthLoginTest : public ::testing::Test {
 protected:
  ServerProcess server;
  ApiClient api{server.base_url()};

  HttpResponse login(const std::string& email) { return api.post("/auth/login", {{"email", email}}); }
  HttpResponse verify(const std::string& email, const std::string& code) {
    return api.post("/auth/verify", {{"email", email}, {"code", code}});
  }
  // Logs in and returns the code that arrived.
  std::string code_for(const std::string& email) {
    auto known = count_mails(server.data_dir(), email);
    auto response = login(email);
    EXPECT_EQ(response.status, 202) << response.body;
    auto code = wait_for_new_code(server.data_dir(), email, known, 10s);
    EXPECT_FALSE(code.empty()) << "no mail for " << email;
    return code;
  }
  static std::string wrong(const std::string& code) { return code == "000000" ? "000001" : "000000"; }

  void expect_invalid_code(const HttpResponse& response, const std::string& what) {
    EXPECT_EQ(response.status, 401) << what << ": " << response.body;
    if (response.status == 401) {
      EXPECT_EQ(response.json().at("code"), "INVALID_CODE") << what;
    }
  }
};

TEST_F(AuthLoginTest, VerifyReturnsTokensAndTheNewUser) {
  auto email = unique_email("new");
  auto code = code_for(email);
  auto mail = read_outbox(server.data_dir()).back();
  EXPECT_EQ(mail.to, email);
  EXPECT_NE(mail.body.find("10 minutes"), std::string::npos) << mail.body;

  auto response = verify(email, code);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.header("cache-control"), "no-store");
  auto body = response.json().as_object();
  EXPECT_EQ(body.at("tokenType"), "Bearer");
  EXPECT_EQ(body.at("expiresIn"), 3600);
  for (const char* token : {"accessToken", "idToken", "refreshToken"})
    EXPECT_FALSE(body.at(token).as_string().empty());
  const auto& user = body.at("user").as_object();
  EXPECT_EQ(user.at("email").as_string(), email);
  EXPECT_EQ(user.at("name"), "");
  EXPECT_TRUE(user.at("preferences").is_object());
  auto id_claims = jwt_claims(body.at("idToken").as_string());
  EXPECT_EQ(id_claims.at("email").as_string(), email);
  EXPECT_EQ(id_claims.at("email_verified"), true);
  EXPECT_EQ(id_claims.at("sub"), user.at("userId"));
}

TEST_F(AuthLoginTest, SyntaxIsCheckedButTheAddressIsNormalised) {
  for (const auto& bad :
       {boost::json::object{{"email", "not-an-email"}}, boost::json::object{},
        boost::json::object{{"email", 42}}, boost::json::object{{"email", "a@example.com"}, {"extra", 1}}}) {
    auto response = api.post("/auth/login", bad);
    EXPECT_EQ(response.status, 400) << boost::json::serialize(bad);
    EXPECT_EQ(response.json().at("code"), "VALIDATION_ERROR");
  }
  auto response = api.post("/auth/login", {{"email", "nope"}});
  EXPECT_EQ(response.json().at("details").at(0).at("field"), "email");

  // Login and verify both use the canonical address: the code goes to it, and the account carries it.
  auto email = unique_email("mixed");
  auto shouted = email;
  std::transform(shouted.begin(), shouted.end(), shouted.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  auto accepted = login(" " + shouted + " ");
  ASSERT_EQ(accepted.status, 202);
  EXPECT_EQ(accepted.json().at("expiresIn"), 600);
  EXPECT_TRUE(accepted.json().at("message").is_string());
  auto code = wait_for_new_code(server.data_dir(), email, 0, 10s);
  ASSERT_FALSE(code.empty()) << "no mail to the canonical address";
  auto verified = verify(shouted, code);
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(verified.json().at("user").at("email").as_string(), email);
}

TEST_F(AuthLoginTest, WrongCodeIsRefusedAndACodeWorksOnce) {
  auto email = unique_email("once");
  auto code = code_for(email);
  expect_invalid_code(verify(email, wrong(code)), "wrong code");
  ASSERT_EQ(verify(email, code).status, 200);
  expect_invalid_code(verify(email, code), "the same code again");
  expect_invalid_code(verify(unique_email("nobody"), code), "a code for another address");
  auto malformed = verify(email, "12ab56");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.json().at("details").at(0).at("field"), "code");
}

TEST_F(AuthLoginTest, FiveWrongAttemptsBurnTheCode) {
  auto email = unique_email("burn");
  auto code = code_for(email);
  for (int attempt = 1; attempt <= 5; ++attempt)
    expect_invalid_code(verify(email, wrong(code)), "wrong attempt " + std::to_string(attempt));
  expect_invalid_code(verify(email, code), "the right code after five wrong ones");
}

TEST_F(AuthLoginTest, FourWrongAttemptsLeaveTheCodeUsable) {
  auto email = unique_email("four");
  auto code = code_for(email);
  for (int attempt = 1; attempt <= 4; ++attempt)
    expect_invalid_code(verify(email, wrong(code)), "wrong attempt");
  EXPECT_EQ(verify(email, code).status, 200);
}

TEST_F(AuthLoginTest, LoginInsideTheCooldownSendsNothing) {
  auto email = unique_email("cooldown");
  auto code = code_for(email);
  auto again = login(email);
  EXPECT_EQ(again.status, 202);
  EXPECT_TRUE(wait_for_new_code(server.data_dir(), email, 1, 2s).empty())
      << "a second mail inside the cooldown";
  EXPECT_EQ(count_mails(server.data_dir(), email), 1u);
  EXPECT_EQ(verify(email, code).status, 200) << "the first code still works";
}

TEST_F(AuthLoginTest, LoginIsLimitedPerClientAddress) {
  for (int i = 0; i < 30; ++i) ASSERT_EQ(login(unique_email("ip")).status, 202) << i;
  auto limited = login(unique_email("ip"));
  ASSERT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.json().at("code"), "THROTTLED");
  auto retry_after = std::stoi(limited.header("retry-after"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 60);
  // Another client is not affected.
  EXPECT_EQ(
      post_from("127.0.0.2", server.base_url() + "/auth/login", {{"email", unique_email("other")}}).status,
      202);
}

TEST_F(AuthLoginTest, VerifyIsLimitedPerClientAddress) {
  auto email = unique_email("guess");
  for (int i = 0; i < 30; ++i) ASSERT_NE(verify(email, "123456").status, 429) << i;
  auto limited = verify(email, "123456");
  ASSERT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.header("retry-after").empty());
  auto other =
      post_from("127.0.0.3", server.base_url() + "/auth/verify", {{"email", email}, {"code", "123456"}});
  EXPECT_EQ(other.status, 401);
}

TEST_F(AuthLoginTest, ConcurrentFirstVerifiesMakeOneUser) {
  auto email = unique_email("race");
  auto code = code_for(email);
  constexpr int kClients = 8;
  std::vector<std::future<HttpResponse>> answers;
  for (int i = 0; i < kClients; ++i)
    answers.push_back(std::async(std::launch::async, [&, i] {
      return post_from("127.0.0." + std::to_string(10 + i), server.base_url() + "/auth/verify",
                       {{"email", email}, {"code", code}});
    }));
  int signed_in = 0;
  std::string user_id;
  for (auto& answer : answers) {
    auto response = answer.get();
    if (response.status == 200) {
      ++signed_in;
      user_id = response.json().at("user").at("userId").as_string();
    } else {
      expect_invalid_code(response, "a concurrent verify of a used code");
    }
  }
  EXPECT_EQ(signed_in, 1) << "a code signs in once";
  EXPECT_FALSE(user_id.empty());
}

// No user enumeration (SPEC §2): /auth/login answers known and unknown addresses with the same status and
// body, and does the same work for both, so the medians of ~50 interleaved requests each are within a
// generous bound.
TEST_F(AuthLoginTest, LoginTimingDoesNotTellKnownFromUnknown) {
  constexpr int kSamples = 50;
  auto client = [](int i) {
    return "127.0.1." + std::to_string(1 + i % 8);
  };  // 8 clients: under 30 a minute each
  std::vector<std::string> known;
  for (int i = 0; i < kSamples; ++i) {
    known.push_back(unique_email("timing-known"));
    sign_in(server, known.back(), client(i));
  }
  std::this_thread::sleep_for(
      31s);  // every known address is past its resend cooldown: both kinds send a code
  std::vector<double> known_ms, unknown_ms;
  std::set<std::string> bodies;
  auto timed_login = [&](const std::string& email, int i) {
    auto started = std::chrono::steady_clock::now();
    auto response = post_from(client(i + 3), server.base_url() + "/auth/login", {{"email", email}});
    EXPECT_EQ(response.status, 202) << response.body;
    bodies.insert(response.body);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  };
  for (int i = 0; i < kSamples; ++i) {
    known_ms.push_back(timed_login(known[i], i));
    unknown_ms.push_back(timed_login(unique_email("timing-unknown"), i));
  }
  auto median = [](std::vector<double> values) {
    std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
    return values[values.size() / 2];
  };
  double known_median = median(known_ms), unknown_median = median(unknown_ms);
  double bound = std::max(10.0, 0.5 * std::max(known_median, unknown_median));
  EXPECT_LT(std::abs(known_median - unknown_median), bound)
      << "known " << known_median << " ms, unknown " << unknown_median << " ms";
  EXPECT_EQ(bodies.size(), 1u) << "the answer differs between addresses";
  // Each known address got a new code: the work really was the same.
  for (const auto& email : known)
    EXPECT_FALSE(wait_for_new_code(server.data_dir(), email, 1, 10s).empty()) << email;
}

}  // namespace
}  // namespace kefir::test
