// Pure sign-in rules: email canonical form, the code policy, per-client limits, mail formatting.
#include <gtest/gtest.h>

#include <set>

#include "adapters/console/console_mailer.hpp"
#include "adapters/smtp/smtp_mailer.hpp"
#include "auth/middleware.hpp"
#include "auth/rate_limiter.hpp"
#include "domain/email.hpp"
#include "domain/otp.hpp"

namespace kefir::test {
namespace {

using namespace std::chrono_literals;

TEST(EmailRules, CanonicalFormIsTrimmedAndLowerCase) {
  EXPECT_EQ(domain::normalize_email("  Alice.Smith+kefir@Example.COM "), "alice.smith+kefir@example.com");
  EXPECT_EQ(domain::normalize_email("o'brien@sub.example.co.uk"), "o'brien@sub.example.co.uk");
  EXPECT_EQ(domain::normalize_email("a@b.io"), "a@b.io");
  EXPECT_EQ(domain::normalize_email("x@xn--bcher-kva.example"), "x@xn--bcher-kva.example");
}

TEST(EmailRules, RejectsWhatNoMailboxLooksLike) {
  for (std::string_view bad : {"",
                               "   ",
                               "alice",
                               "alice@",
                               "@example.com",
                               "alice@example",
                               "alice@@example.com",
                               "a@b@example.com",
                               "alice@-example.com",
                               "alice@example-.com",
                               "alice@exa_mple.com",
                               "alice@example..com",
                               ".alice@example.com",
                               "alice.@example.com",
                               "al..ice@example.com",
                               "al ice@example.com",
                               "alice@example.com\n.x",
                               "\"quoted\"@example.com",
                               "alice@[127.0.0.1]",
                               "alice@127.0.0.1",
                               "alice@example.123",
                               "élise@example.com",
                               "alice@example.com, bob@example.com",
                               "alice@example.com\r\nBcc: x@example.com"})
    EXPECT_FALSE(domain::normalize_email(bad)) << bad;
  EXPECT_FALSE(domain::normalize_email(std::string(65, 'a') + "@example.com"));
  EXPECT_TRUE(domain::normalize_email(std::string(64, 'a') + "@example.com"));
  EXPECT_FALSE(domain::normalize_email("a@" + std::string(64, 'b') + ".com"));
  std::string long_domain;
  for (int i = 0; i < 5; ++i) long_domain += std::string(60, 'd') + ".";
  EXPECT_FALSE(domain::normalize_email("a@" + long_domain + "com"));  // over 254
}

TEST(OtpRules, CodesAreSixDigitsAndVary) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto code = domain::generate_code();
    EXPECT_TRUE(domain::well_formed_code(code)) << code;
    seen.insert(code);
  }
  EXPECT_GT(seen.size(), 190u);  // 200 draws from a million: a repeat or two at most
  EXPECT_FALSE(domain::well_formed_code("12345"));
  EXPECT_FALSE(domain::well_formed_code("1234567"));
  EXPECT_FALSE(domain::well_formed_code("12345a"));
  EXPECT_FALSE(domain::well_formed_code(" 12345"));
}

TEST(OtpRules, HashIsKeyedAndBoundToTheEmail) {
  auto hash = domain::code_hash("key", "a@example.com", "123456");
  EXPECT_EQ(hash, domain::code_hash("key", "a@example.com", "123456"));
  EXPECT_NE(hash, domain::code_hash("other key", "a@example.com", "123456"));
  EXPECT_NE(hash, domain::code_hash("key", "b@example.com", "123456"));
  EXPECT_NE(hash, domain::code_hash("key", "a@example.com", "123457"));
  EXPECT_EQ(hash.find("123456"), std::string::npos);
}

TEST(OtpRules, FirstLoginSendsThenCooldownThenHourlyLimit) {
  TimePoint t0{std::chrono::milliseconds(1'800'000'000'000)};
  auto first = domain::decide_login({}, t0);
  EXPECT_EQ(first.action, domain::LoginAction::send);
  ASSERT_EQ(first.sends.size(), 1u);

  EXPECT_EQ(domain::decide_login(first.sends, t0 + 29s).action, domain::LoginAction::cooldown);
  EXPECT_EQ(domain::decide_login(first.sends, t0 + 30s).action, domain::LoginAction::send);

  std::vector<TimePoint> sends;
  TimePoint now = t0;
  for (int i = 0; i < 5; ++i, now += 31s) {
    auto decision = domain::decide_login(sends, now);
    ASSERT_EQ(decision.action, domain::LoginAction::send) << i;
    sends = decision.sends;
  }
  auto limited = domain::decide_login(sends, now);
  EXPECT_EQ(limited.action, domain::LoginAction::rate_limited);
  // The first send leaves the window an hour after it went out.
  EXPECT_EQ(limited.retry_after, std::chrono::ceil<std::chrono::seconds>(t0 + 1h - now));
  EXPECT_EQ(domain::decide_login(sends, t0 + 1h - 1s).action, domain::LoginAction::rate_limited);
  auto freed = domain::decide_login(sends, t0 + 1h);
  EXPECT_EQ(freed.action, domain::LoginAction::send);
  EXPECT_EQ(freed.sends.size(), 5u);  // the oldest dropped out, the new one joined
}

TEST(OtpRules, SendsStampedAheadOfOurClockStillCount) {
  TimePoint now{std::chrono::milliseconds(1'800'000'000'000)};
  // Another instance with a clock 10 s ahead sent a code "in the future": still the cooldown.
  EXPECT_EQ(domain::decide_login({now + 10s}, now).action, domain::LoginAction::cooldown);
}

TEST(SlidingWindowLimiter, AllowsTheLimitPerKeyPerWindow) {
  auth::SlidingWindowLimiter limiter(3, std::chrono::minutes(1));
  auto t0 = auth::SlidingWindowLimiter::Clock::time_point(std::chrono::hours(1000));
  std::chrono::seconds retry{};
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.allow("10.0.0.1", retry, t0 + std::chrono::seconds(i)));
  EXPECT_FALSE(limiter.allow("10.0.0.1", retry, t0 + 10s));
  EXPECT_EQ(retry, 50s);
  EXPECT_TRUE(limiter.allow("10.0.0.2", retry, t0 + 10s));  // other clients are not affected
  EXPECT_TRUE(limiter.allow("10.0.0.1", retry, t0 + 60s));  // the first event left the window
  EXPECT_FALSE(limiter.allow("10.0.0.1", retry, t0 + 60s));
}

TEST(SlidingWindowLimiter, ForgetsIdleKeysInsteadOfGrowing) {
  auth::SlidingWindowLimiter limiter(1, std::chrono::minutes(1), 10);
  auto t0 = auth::SlidingWindowLimiter::Clock::time_point(std::chrono::hours(1000));
  std::chrono::seconds retry{};
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.allow("ip" + std::to_string(i), retry, t0));
  // Ten minutes later the old keys are idle; new ones are admitted and old state is gone.
  for (int i = 10; i < 30; ++i) EXPECT_TRUE(limiter.allow("ip" + std::to_string(i), retry, t0 + 10min));
  EXPECT_TRUE(limiter.allow("ip0", retry, t0 + 10min));
}

TEST(BearerHeader, ParsesTheSchemeCaseInsensitively) {
  EXPECT_EQ(auth::bearer_token("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(auth::bearer_token("bearer abc"), "abc");
  EXPECT_EQ(auth::bearer_token("BEARER  abc "), "abc");
  EXPECT_EQ(auth::bearer_token("Basic abc"), "");
  EXPECT_EQ(auth::bearer_token("Bearer"), "");
  EXPECT_EQ(auth::bearer_token("Bearer "), "");
  EXPECT_EQ(auth::bearer_token("abc"), "");
}

TEST(MailFormat, MultipartAlternativeWithBothBodies) {
  mail::Message message{"alice@example.com", "Your code", "Code 123456\nline two", "<p>Code 123456</p>"};
  TimePoint date{std::chrono::milliseconds(1'768'471'200'000)};  // 2026-01-15T10:00:00Z, a Thursday
  auto text = mail::format_message(message, "Kefir <no-reply@kefir.test>", "no-reply@kefir.test", date);
  EXPECT_NE(text.find("Date: Thu, 15 Jan 2026 10:00:00 +0000\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("From: Kefir <no-reply@kefir.test>\r\n"), std::string::npos);
  EXPECT_NE(text.find("To: alice@example.com\r\n"), std::string::npos);
  EXPECT_NE(text.find("Subject: Your code\r\n"), std::string::npos);
  EXPECT_NE(text.find("@kefir.test>\r\n"), std::string::npos);  // Message-ID in the sender's domain
  EXPECT_NE(text.find("Content-Type: multipart/alternative; boundary="), std::string::npos);
  EXPECT_NE(text.find("Content-Type: text/plain; charset=utf-8"), std::string::npos);
  EXPECT_NE(text.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  EXPECT_NE(text.find("Code 123456\r\nline two\r\n"), std::string::npos);
  for (std::size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 1))
    EXPECT_EQ(text[at - 1], '\r') << "bare LF at " << at;
}

TEST(MailFormat, SenderAddressFromMailFrom) {
  EXPECT_EQ(mail::mailbox_address("Kefir <no-reply@kefir.test>"), "no-reply@kefir.test");
  EXPECT_EQ(mail::mailbox_address("no-reply@kefir.test"), "no-reply@kefir.test");
  EXPECT_EQ(mail::mailbox_address(" <a@b.c> "), "a@b.c");
  EXPECT_EQ(mail::mailbox_address("Kefir"), "");
  EXPECT_EQ(mail::mailbox_address("Kefir <>"), "");
  EXPECT_THROW(mail::SmtpMailer("smtp://127.0.0.1:25", "Kefir"), std::invalid_argument);
}

TEST(MailFormat, ConsoleTextNamesRecipientAndSubject) {
  auto text = mail::console_text({"alice@example.com", "Subject line", "Body 123456", "<p>ignored</p>"});
  EXPECT_EQ(text, "----- mail\nTo: alice@example.com\nSubject: Subject line\n\nBody 123456\n");
}

}  // namespace
}  // namespace kefir::test
