// The Expo Push API client against the local fake: message shape, bearer token, tickets, receipts, HTTP
// failures and the cap of 6 concurrent requests.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "adapters/expo/expo_push_sender.hpp"
#include "support/fake_expo.hpp"

namespace kefir::push {
namespace {

using test::FakeExpo;

Message message(std::string token, std::string body = "Taste your kefir") {
  return {std::move(token), "Kefir reminder", std::move(body),
          json::object{{"batchId", "b1"}, {"reminderId", "r1"}, {"type", "midpoint_check"}}};
}

ExpoOptions options_for(const FakeExpo& fake, std::string token = {}) {
  ExpoOptions options;
  options.push_url = fake.push_url();
  options.access_token = std::move(token);
  options.rate = 0;
  return options;
}

TEST(ExpoClient, DerivesTheReceiptsUrlFromThePushUrl) {
  EXPECT_EQ(expo_receipts_url("https://exp.host/--/api/v2/push/send"),
            "https://exp.host/--/api/v2/push/getReceipts");
  EXPECT_EQ(expo_receipts_url("http://127.0.0.1:8123/--/api/v2/push/send"),
            "http://127.0.0.1:8123/--/api/v2/push/getReceipts");
}

TEST(ExpoClient, SendsTheMessageShapeOfTheSpecWithABearerToken) {
  FakeExpo fake;
  ExpoPushSender sender(options_for(fake, "secret-access-token"));
  auto result = sender.send({message("ExponentPushToken[one]"), message("ExpoPushToken[two]", "Bottle it")});
  ASSERT_EQ(result.outcome, SendResult::Outcome::accepted) << result.error;
  ASSERT_EQ(result.tickets.size(), 2u);
  EXPECT_TRUE(result.tickets[0].ok);
  EXPECT_FALSE(result.tickets[0].id.empty());

  auto received = fake.messages();
  ASSERT_EQ(received.size(), 2u);
  const json::object want = {{"to", "ExponentPushToken[one]"},
                             {"title", "Kefir reminder"},
                             {"body", "Taste your kefir"},
                             {"data", {{"batchId", "b1"}, {"reminderId", "r1"}, {"type", "midpoint_check"}}},
                             {"sound", "default"},
                             {"priority", "high"}};
  EXPECT_EQ(received[0].message, want);
  EXPECT_EQ(received[1].message.at("body"), "Bottle it");
  EXPECT_EQ(received[0].authorization, "Bearer secret-access-token");
  EXPECT_EQ(received[0].request_size, 2u);
}

TEST(ExpoClient, SendsNoAuthorizationWithoutAnAccessToken) {
  FakeExpo fake;
  ExpoPushSender sender(options_for(fake));
  ASSERT_EQ(sender.send({message("ExponentPushToken[one]")}).outcome, SendResult::Outcome::accepted);
  EXPECT_EQ(fake.messages().at(0).authorization, "");
}

TEST(ExpoClient, ParsesTicketErrors) {
  FakeExpo fake;
  fake.set_ticket_error("ExponentPushToken[gone]", "DeviceNotRegistered");
  ExpoPushSender sender(options_for(fake));
  auto result = sender.send({message("ExponentPushToken[ok]"), message("ExponentPushToken[gone]")});
  ASSERT_EQ(result.outcome, SendResult::Outcome::accepted);
  EXPECT_TRUE(result.tickets[0].ok);
  EXPECT_FALSE(result.tickets[1].ok);
  EXPECT_EQ(result.tickets[1].error, "DeviceNotRegistered");
  EXPECT_NE(result.tickets[1].message.find("not a registered"), std::string::npos);
}

TEST(ExpoClient, ServerErrorsThrottlingAndNetworkErrorsAreRetryable) {
  FakeExpo fake;
  ExpoPushSender sender(options_for(fake));
  fake.fail_next_sends(1, 500);
  auto failed = sender.send({message("ExponentPushToken[a]")});
  EXPECT_EQ(failed.outcome, SendResult::Outcome::retryable);
  EXPECT_EQ(failed.error, "http_500");
  fake.fail_next_sends(1, 429);
  EXPECT_EQ(sender.send({message("ExponentPushToken[a]")}).error, "http_429");
  EXPECT_EQ(sender.send({message("ExponentPushToken[a]")}).outcome, SendResult::Outcome::accepted);

  ExpoOptions nowhere;
  nowhere.push_url = "http://127.0.0.1:9/--/api/v2/push/send";  // discard port: connection refused
  nowhere.rate = 0;
  auto unreachable = ExpoPushSender(nowhere).send({message("ExponentPushToken[a]")});
  EXPECT_EQ(unreachable.outcome, SendResult::Outcome::retryable);
  EXPECT_TRUE(unreachable.error.starts_with("network")) << unreachable.error;
}

TEST(ExpoClient, OtherHttpErrorsAreRejected) {
  FakeExpo fake;
  ExpoPushSender sender(options_for(fake));
  fake.fail_next_sends(1, 400);
  auto result = sender.send({message("ExponentPushToken[a]")});
  EXPECT_EQ(result.outcome, SendResult::Outcome::rejected);
  EXPECT_FALSE(result.error.empty());
}

TEST(ExpoClient, RefusesMoreThanOneHundredMessagesPerRequest) {
  FakeExpo fake;
  ExpoPushSender sender(options_for(fake));
  EXPECT_EQ(sender.max_messages_per_request(), 100u);
  std::vector<Message> hundred(100, message("ExponentPushToken[a]"));
  EXPECT_EQ(sender.send(hundred).tickets.size(), 100u);
  hundred.push_back(message("ExponentPushToken[a]"));
  EXPECT_THROW(sender.send(hundred), std::invalid_argument);
}

TEST(ExpoClient, ReadsReceiptsByTicketId) {
  FakeExpo fake;
  fake.set_receipt_error("ExponentPushToken[big]", "MessageTooBig");
  ExpoPushSender sender(options_for(fake));
  auto sent = sender.send({message("ExponentPushToken[fine]"), message("ExponentPushToken[big]")});
  ASSERT_EQ(sent.outcome, SendResult::Outcome::accepted);
  auto receipts = sender.receipts({sent.tickets[0].id, sent.tickets[1].id, "unknown-ticket"});
  ASSERT_EQ(receipts.size(), 2u);
  EXPECT_TRUE(receipts.at(sent.tickets[0].id).ok);
  EXPECT_FALSE(receipts.at(sent.tickets[1].id).ok);
  EXPECT_EQ(receipts.at(sent.tickets[1].id).error, "MessageTooBig");
  EXPECT_EQ(fake.receipt_ids_requested().size(), 3u);
  EXPECT_THROW(sender.receipts(std::vector<std::string>(1001, "id")), std::invalid_argument);
}

TEST(ExpoClient, RunsAtMostSixRequestsAtOnce) {
  FakeExpo fake;
  ExpoPushSender sender(options_for(fake));
  fake.hold_sends(true);
  std::atomic<int> done = 0;
  std::vector<std::thread> senders;
  for (int i = 0; i < 10; ++i) {
    senders.emplace_back([&] {
      EXPECT_EQ(sender.send({message("ExponentPushToken[a]")}).outcome, SendResult::Outcome::accepted);
      ++done;
    });
  }
  ASSERT_TRUE(fake.wait_for_received(6, std::chrono::seconds(10)));
  // Six are held inside the fake; a seventh would have to get past the client's limit to arrive.
  EXPECT_FALSE(fake.wait_for_received(7, std::chrono::milliseconds(500)));
  EXPECT_EQ(done.load(), 0);
  fake.hold_sends(false);
  for (auto& t : senders) t.join();
  EXPECT_EQ(done.load(), 10);
  EXPECT_EQ(fake.send_requests(), 10u);
}

TEST(ExpoClient, PacesSendsAtTheConfiguredRate) {
  FakeExpo fake;
  auto options = options_for(fake);
  options.rate = 200;  // notifications per second; the bucket holds one full request
  ExpoPushSender sender(options);
  std::vector<Message> hundred(100, message("ExponentPushToken[a]"));
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(sender.send(hundred).outcome, SendResult::Outcome::accepted);
  // 300 notifications at 200/s with 100 available at once: at least 1 s.
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(950));
}

TEST(ExpoClient, NoBurstOrRequestExceedsALowRate) {
  FakeExpo fake;
  auto options = options_for(fake);
  options.rate = 40;
  ExpoPushSender sender(options);
  ASSERT_EQ(sender.max_messages_per_request(), 40u);
  std::vector<Message> forty(40, message("ExponentPushToken[a]"));
  EXPECT_THROW(sender.send(std::vector<Message>(41, message("ExponentPushToken[a]"))), std::invalid_argument);
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) ASSERT_EQ(sender.send(forty).outcome, SendResult::Outcome::accepted);
  // 160 at 40/s, 40 available at once: 120 wait for three seconds of refill.
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2950));
}

}  // namespace
}  // namespace kefir::push
