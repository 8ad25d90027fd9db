// The fan-out of live streams over a change feed double: what reaches which stream, when, and how streams
// end.
#include "jobs/stream_hub.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "http/errors.hpp"

namespace kefir::jobs {
namespace {

using namespace std::chrono_literals;

// Each user's changes are numbered 1, 2...; a token is "<user>:<seq>"; pages hold two changes.
class FakeFeed final : public ChangeFeed {
 public:
  void add_change(const std::string& user_id) {
    std::lock_guard lock(mutex_);
    ++seqs_[user_id];
  }
  std::uint64_t current_seq(const std::string& user_id) override {
    std::lock_guard lock(mutex_);
    return seqs_[user_id];
  }
  std::string token(const std::string& user_id, std::uint64_t seq) override {
    return user_id + ":" + std::to_string(seq);
  }
  Page read(const std::string& user_id, std::string_view since) override {
    auto colon = since.find(':');
    if (colon == std::string_view::npos || since.substr(0, colon) != user_id)
      throw domain::invalid("since", "not a token of this user");
    std::uint64_t from = std::stoull(std::string(since.substr(colon + 1)));
    auto last = std::min(current_seq(user_id), from + 2);
    Page page;
    page.json = "{\"from\":" + std::to_string(from) + ",\"to\":" + std::to_string(last) + "}";
    page.next = token(user_id, last);
    page.more = last < current_seq(user_id);
    page.has_changes = last > from;
    page.last_seq = last;
    return page;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::uint64_t> seqs_;
};

class FixedClock final : public Clock {
 public:
  TimePoint now() const override { return TimePoint(std::chrono::seconds(1'800'000'000)); }
};

constexpr std::int64_t kLater = 1'800'003'600;

class StreamHubTest : public ::testing::Test {
 protected:
  std::shared_ptr<http::LiveBody> open(const std::string& user, std::optional<std::string> last_event_id = {},
                                       std::string token = "good") {
    return hub->open(user, std::move(token), kLater, last_event_id);
  }

  // Everything the body received within `wait`.
  static std::string received(http::LiveBody& body, std::chrono::milliseconds wait = 500ms) {
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < deadline) {
      bool ended = false;
      text += body.take(ended);
      if (ended) break;
      std::this_thread::sleep_for(10ms);
    }
    return text;
  }

  void make_hub(StreamHubOptions options = {}) {
    hub = std::make_unique<StreamHub>(
        StreamHubPorts{feed, clock, [this]() -> std::optional<std::uint64_t> { return version.load(); },
                       [this](const std::string& token) { return token == "good"; }},
        options);
    hub->start();
  }

  void SetUp() override { make_hub(); }

  std::shared_ptr<FakeFeed> feed = std::make_shared<FakeFeed>();
  FixedClock clock;
  std::atomic<std::uint64_t> version{1};
  std::unique_ptr<StreamHub> hub;
};

TEST_F(StreamHubTest, ALocalChangeReachesEveryStreamOfItsUserOnly) {
  feed->add_change("ann");
  auto first = open("ann");
  auto second = open("ann");
  auto other = open("bob");
  feed->add_change("ann");
  hub->user_changed("ann", 2);
  const std::string event = "id: ann:2\nevent: changes\ndata: {\"from\":1,\"to\":2}\n\n";
  EXPECT_EQ(received(*first), event) << "the change before the stream opened is not sent";
  EXPECT_EQ(received(*second), event);
  EXPECT_EQ(received(*other), "");
}

TEST_F(StreamHubTest, AChangeOfAnotherProcessIsSeenThroughTheDataVersion) {
  auto stream = open("ann");
  EXPECT_EQ(received(*stream, 300ms), "");
  feed->add_change("ann");  // committed elsewhere: no user_changed here
  EXPECT_EQ(received(*stream, 300ms), "") << "sent without a sign of the change";
  ++version;
  EXPECT_EQ(received(*stream), "id: ann:1\nevent: changes\ndata: {\"from\":0,\"to\":1}\n\n");
}

TEST_F(StreamHubTest, WithoutADataVersionEachUsersSequenceIsPolled) {
  hub = std::make_unique<StreamHub>(StreamHubPorts{feed, clock, [] { return std::optional<std::uint64_t>(); },
                                                   [](const std::string&) { return true; }},
                                    StreamHubOptions{.sequence_poll = 200ms});
  hub->start();
  auto stream = open("ann");
  feed->add_change("ann");
  EXPECT_EQ(received(*stream, 600ms), "id: ann:1\nevent: changes\ndata: {\"from\":0,\"to\":1}\n\n");
}

TEST_F(StreamHubTest, ResumingSendsEveryPageAfterTheTokenInOrderThenGoesLive) {
  for (int i = 0; i < 5; ++i) feed->add_change("ann");
  auto stream = open("ann", "ann:1");
  EXPECT_EQ(received(*stream, 200ms),
            "id: ann:3\nevent: changes\ndata: {\"from\":1,\"to\":3}\n\n"
            "id: ann:5\nevent: changes\ndata: {\"from\":3,\"to\":5}\n\n");
  feed->add_change("ann");
  hub->user_changed("ann", 6);
  EXPECT_EQ(received(*stream), "id: ann:6\nevent: changes\ndata: {\"from\":5,\"to\":6}\n\n");
}

TEST_F(StreamHubTest, AForeignTokenIsRefusedBeforeTheStreamOpens) {
  EXPECT_THROW(open("ann", "bob:0"), domain::Error);
  EXPECT_EQ(hub->open_streams(), 0u);
}

TEST_F(StreamHubTest, LimitsPerUserAndPerInstanceAnswer429) {
  make_hub({.per_user = 2, .per_instance = 3});
  auto a1 = open("ann");
  auto a2 = open("ann");
  try {
    open("ann");
    FAIL() << "a third stream for one user was opened";
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.failure(), domain::Failure::Throttled);
    EXPECT_EQ(error.code(), "THROTTLED");
  }
  auto b1 = open("bob");
  EXPECT_THROW(open("cat"), domain::Error) << "the instance holds 3";
  a1->close();
  EXPECT_NO_THROW(open("ann")) << "a closed stream frees its place";
}

TEST_F(StreamHubTest, HeartbeatsKeepAnIdleStreamAlive) {
  make_hub({.heartbeat = 100ms});
  auto stream = open("ann");
  auto text = received(*stream, 600ms);
  EXPECT_GE(text.size(), 2 * std::string_view(": keep-alive\n\n").size()) << text;
  EXPECT_EQ(text.find("event:"), std::string::npos);
}

TEST_F(StreamHubTest, ARevokedOrExpiredTokenEndsItsStream) {
  auto revoked = open("ann", {}, "revoked-later");
  auto expired = hub->open("bob", "good", 1'800'000'000, std::nullopt);
  auto fine = open("cat");
  EXPECT_TRUE(std::string(received(*revoked, 2000ms)).empty());
  EXPECT_TRUE(revoked->closed());
  EXPECT_TRUE(expired->closed());
  EXPECT_FALSE(fine->closed());
}

TEST_F(StreamHubTest, StoppingEndsEveryStreamWithAShutdownEvent) {
  auto stream = open("ann");
  hub->stop();
  bool ended = false;
  EXPECT_EQ(stream->take(ended), "event: shutdown\ndata: {}\n\n");
  stream->take(ended);
  EXPECT_TRUE(ended);
  EXPECT_FALSE(stream->push("late")) << "a closed body takes nothing more";
}

}  // namespace
}  // namespace kefir::jobs
