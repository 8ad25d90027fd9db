#pragma once
// The live streams of this process (GET /me/stream, docs/sync.md): who has a stream open, and one periodic
// job that pushes each user's new changes to them. A change is noticed three ways, whichever comes first:
// - this process committed it: user_changed() wakes the job at once;
// - another process on the same SQLite file committed it: the store's data version (read from SQLite's
//   shared memory) is polled every 100 ms, and on a change each streaming user's sequence is read (one get);
// - a store without a data version (DynamoDB): each streaming user's sequence is read every second.
// The job also sends heartbeats and ends streams whose access token expired or was revoked.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/live_body.hpp"
#include "jobs/background_job.hpp"
#include "jobs/periodic_job.hpp"
#include "ports/clock.hpp"

namespace kefir::jobs {

// A user's change feed as the streams read it (services/sync_service behind it; a double in unit tests).
class ChangeFeed {
 public:
  struct Page {
    std::string json;  // the body GET /sync answers for this page
    std::string next;  // the token after its last change
    bool more = false;
    bool has_changes = false;
    std::uint64_t last_seq = 0;  // of its last change
  };
  virtual ~ChangeFeed() = default;
  virtual std::uint64_t current_seq(const std::string& user_id) = 0;
  virtual std::string token(const std::string& user_id, std::uint64_t seq) = 0;
  // The changes after `since`; throws domain::Error: invalid (not the user's token) or gone (too old).
  virtual Page read(const std::string& user_id, std::string_view since) = 0;
};

struct StreamHubOptions {
  int per_user = 5;                              // STREAMS_PER_USER
  int per_instance = 10000;                      // MAX_STREAMS
  std::chrono::milliseconds heartbeat{15000};    // STREAM_HEARTBEAT
  std::chrono::milliseconds version_poll{100};   // stores with a data version
  std::chrono::milliseconds sequence_poll{500};  // stores without one: half the 1 s promise
};

struct StreamHubPorts {
  std::shared_ptr<ChangeFeed> feed;
  const Clock& clock;
  // The store's data version; nullopt when it has none (then each user's sequence is polled).
  std::function<std::optional<std::uint64_t>()> data_version;
  // Whether an access token is still good (not expired, not revoked).
  std::function<bool(const std::string& access_token)> token_valid;
};

class StreamHub final : public BackgroundJob {
 public:
  StreamHub(StreamHubPorts ports, StreamHubOptions options);
  ~StreamHub() override;
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  void start() override;
  void stop() override;  // ends every stream

  // A new stream of the user's changes: with `last_event_id`, every change after it first (read here, so a
  // bad or old token throws before anything is sent); without, the changes from now on. Throws 429 THROTTLED
  // over STREAMS_PER_USER or MAX_STREAMS. The stream ends when `access_token` expires (`expires_at`, epoch
  // seconds) or is revoked.
  std::shared_ptr<http::LiveBody> open(const std::string& user_id, std::string access_token,
                                       std::int64_t expires_at,
                                       const std::optional<std::string>& last_event_id);
  // The user's data changed in this process: their sequence is now at least `seq`.
  void user_changed(const std::string& user_id, std::uint64_t seq);

  std::size_t open_streams() const;

  // The text of one Server-Sent Event carrying a page of changes.
  static std::string changes_event(const ChangeFeed::Page& page);

 private:
  struct Stream {
    std::shared_ptr<http::LiveBody> body;
    std::string access_token;
    std::int64_t expires_at;
    std::string since;  // the token of the last change sent
    std::uint64_t seq;
  };
  using Streams = std::vector<std::shared_ptr<Stream>>;

  // One tick of the hub's job: changes, heartbeats, expired tokens.
  void tick();
  void poll_for_changes(std::chrono::steady_clock::time_point now);
  void deliver(const std::string& user_id, std::uint64_t known_seq);
  // Sends every change after the group's common position, page by page, and moves the group to the end
  // (at least `reached`, the sequence read before the pages).
  void send_changes(const std::string& user_id, const Streams& group, std::uint64_t reached);
  void send_heartbeats();
  void end_unauthorized();
  void forget_closed();
  Streams all_streams() const;

  StreamHubPorts ports_;
  const StreamHubOptions options_;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Streams> by_user_;
  std::size_t count_ = 0;
  // Users whose sequence may have moved, with the sequence known to be reached (0: read it).
  std::unordered_map<std::string, std::uint64_t> changed_;

  // Only tick() touches these (and start(), before the job runs).
  std::optional<std::uint64_t> last_version_;
  std::chrono::steady_clock::time_point next_sequence_poll_{};
  std::chrono::steady_clock::time_point next_heartbeat_{};
  std::chrono::steady_clock::time_point next_token_check_{};

  PeriodicJob job_;  // last: stopped before the rest goes
};

}  // namespace kefir::jobs
