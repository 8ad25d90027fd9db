#include "jobs/stream_hub.hpp"

#include <algorithm>
#include <map>

#include "http/errors.hpp"
#include "util/log.hpp"

namespace kefir::jobs {
namespace {

constexpr std::string_view kShutdownEvent = "event: shutdown\ndata: {}\n\n";
constexpr std::string_view kHeartbeat = ": keep-alive\n\n";
// How often every stream's token is checked; revocation itself is seen within auth::kRevocationRecheck.
constexpr std::chrono::seconds kTokenCheck{1};
// A client over a limit retries after this long (by then a stream of theirs may have ended).
constexpr int kRetryAfterSeconds = 5;

// How often the job looks for changes: the data version's poll, or the sequences' when that is shorter and
// the store has no data version.
std::chrono::milliseconds tick_interval(const StreamHubPorts& ports, const StreamHubOptions& options) {
  if (ports.data_version()) return options.version_poll;
  return std::min(options.version_poll, options.sequence_poll);
}

}  // namespace

StreamHub::StreamHub(StreamHubPorts ports, StreamHubOptions options)
    : ports_(std::move(ports)),
      options_(options),
      job_("live streams", tick_interval(ports_, options_), [this] { tick(); }) {}

StreamHub::~StreamHub() {
  stop();
}

void StreamHub::start() {
  last_version_ = ports_.data_version();  // streams opened from now on start from now
  auto now = std::chrono::steady_clock::now();
  next_heartbeat_ = now + options_.heartbeat;
  next_token_check_ = now + kTokenCheck;
  job_.start();
}

void StreamHub::stop() {
  job_.stop();
  for (auto& stream : all_streams()) stream->body->shut_down();
  forget_closed();
}

std::string StreamHub::changes_event(const ChangeFeed::Page& page) {
  // The page's JSON is one line (serialized without newlines), so it is one data field.
  std::string event;
  event.reserve(page.json.size() + page.next.size() + 32);
  event += "id: ";
  event += page.next;
  event += "\nevent: changes\ndata: ";
  event += page.json;
  event += "\n\n";
  return event;
}

std::shared_ptr<http::LiveBody> StreamHub::open(const std::string& user_id, std::string access_token,
                                                std::int64_t expires_at,
                                                const std::optional<std::string>& last_event_id) {
  {
    std::lock_guard lock(mutex_);
    auto& mine = by_user_[user_id];
    auto ended = std::erase_if(mine, [](const auto& stream) { return stream->body->closed(); });
    count_ -= ended;
    if (count_ >= static_cast<std::size_t>(options_.per_instance))
      throw domain::throttled(kRetryAfterSeconds, "too many live streams on this instance");
    if (mine.size() >= static_cast<std::size_t>(options_.per_user))
      throw domain::throttled(kRetryAfterSeconds, "too many live streams open for this account");
  }
  auto stream = std::make_shared<Stream>(Stream{std::make_shared<http::LiveBody>(std::string(kShutdownEvent)),
                                                std::move(access_token),
                                                expires_at,
                                                {},
                                                0});
  auto seq = ports_.feed->current_seq(user_id);
  if (last_event_id) {
    stream->since = *last_event_id;
    send_changes(user_id, {stream}, seq);
  } else {
    stream->seq = seq;
    stream->since = ports_.feed->token(user_id, seq);
  }
  {
    std::lock_guard lock(mutex_);
    auto& mine = by_user_[user_id];
    // Checked again: the limits may have been reached while this one read.
    if (count_ >= static_cast<std::size_t>(options_.per_instance) ||
        mine.size() >= static_cast<std::size_t>(options_.per_user))
      throw domain::throttled(kRetryAfterSeconds, "too many live streams");
    mine.push_back(stream);
    ++count_;
    changed_.try_emplace(user_id, 0);  // a change committed while this one read is sent at once
  }
  job_.wake();
  return stream->body;
}

void StreamHub::user_changed(const std::string& user_id, std::uint64_t seq) {
  {
    std::lock_guard lock(mutex_);
    if (!by_user_.contains(user_id)) return;
    auto [known, inserted] = changed_.try_emplace(user_id, seq);
    if (!inserted && known->second != 0) known->second = std::max(known->second, seq);
  }
  job_.wake();
}

std::size_t StreamHub::open_streams() const {
  std::lock_guard lock(mutex_);
  return count_;
}

StreamHub::Streams StreamHub::all_streams() const {
  std::lock_guard lock(mutex_);
  Streams all;
  all.reserve(count_);
  for (const auto& [user, streams] : by_user_) all.insert(all.end(), streams.begin(), streams.end());
  return all;
}

void StreamHub::tick() {
  const auto now = std::chrono::steady_clock::now();
  try {
    poll_for_changes(now);
  } catch (const std::exception& error) {
    log::warn("live streams: cannot read the store's version", {{"error", error.what()}});
  }
  std::unordered_map<std::string, std::uint64_t> changed;
  {
    std::lock_guard lock(mutex_);
    changed.swap(changed_);
  }
  for (const auto& [user, seq] : changed) deliver(user, seq);
  if (now >= next_heartbeat_) {
    send_heartbeats();
    next_heartbeat_ = now + options_.heartbeat;
  }
  if (now >= next_token_check_) {
    end_unauthorized();
    next_token_check_ = now + kTokenCheck;
  }
  forget_closed();
}

// Marks every streaming user as possibly changed when another process may have written: the data version
// moved, or (without one) the sequence poll is due.
void StreamHub::poll_for_changes(std::chrono::steady_clock::time_point now) {
  auto version = ports_.data_version();
  if (version) {
    if (version == last_version_) return;
    last_version_ = version;
  } else {
    if (now < next_sequence_poll_) return;
    next_sequence_poll_ = now + options_.sequence_poll;
  }
  std::lock_guard lock(mutex_);
  for (const auto& [user, streams] : by_user_)
    if (!streams.empty()) changed_[user] = 0;
}

void StreamHub::deliver(const std::string& user_id, std::uint64_t known_seq) {
  Streams streams;
  {
    std::lock_guard lock(mutex_);
    auto found = by_user_.find(user_id);
    if (found != by_user_.end()) streams = found->second;
  }
  if (streams.empty()) return;
  try {
    auto behind = [&](std::uint64_t seq) {
      return std::any_of(streams.begin(), streams.end(), [seq](const auto& s) { return s->seq < seq; });
    };
    if (known_seq != 0 && !behind(known_seq)) return;
    auto seq = ports_.feed->current_seq(user_id);
    if (!behind(seq)) return;
    // Streams at the same position share each page read.
    std::map<std::string, Streams> by_position;
    for (auto& stream : streams)
      if (stream->seq < seq) by_position[stream->since].push_back(stream);
    for (auto& [since, group] : by_position) send_changes(user_id, group, seq);
  } catch (const std::exception& error) {
    // Tried again at the next tick; the streams keep their position, so nothing is skipped.
    log::warn("live streams: cannot read a user's changes", {{"userId", user_id}, {"error", error.what()}});
    std::lock_guard lock(mutex_);
    changed_.try_emplace(user_id, 0);
  }
}

void StreamHub::send_changes(const std::string& user_id, const Streams& group, std::uint64_t reached) {
  std::string position = group.front()->since;
  for (bool more = true; more;) {
    auto page = ports_.feed->read(user_id, position);
    if (page.has_changes) {
      auto event = changes_event(page);
      for (const auto& stream : group) stream->body->push(event);
    }
    position = std::move(page.next);
    reached = std::max(reached, page.last_seq);
    more = page.more;
  }
  for (const auto& stream : group) {
    stream->since = position;
    stream->seq = reached;
  }
}

void StreamHub::send_heartbeats() {
  for (auto& stream : all_streams()) stream->body->push(std::string(kHeartbeat));
}

void StreamHub::end_unauthorized() {
  auto now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(ports_.clock.now().time_since_epoch()).count();
  for (auto& stream : all_streams()) {
    if (stream->body->closed()) continue;
    if (now_seconds >= stream->expires_at || !ports_.token_valid(stream->access_token)) stream->body->close();
  }
}

void StreamHub::forget_closed() {
  std::lock_guard lock(mutex_);
  for (auto user = by_user_.begin(); user != by_user_.end();) {
    count_ -= std::erase_if(user->second, [](const auto& stream) { return stream->body->closed(); });
    user = user->second.empty() ? by_user_.erase(user) : std::next(user);
  }
}

}  // namespace kefir::jobs
