#pragma once
// The change feed (issue 17): GET /sync reads the user's change log (services/change_log.hpp) after
// a token, POST /sync applies a client's changes through the same services as the REST API.
//
// The contract the live stream (GET /me/stream) builds on:
// - current_change_seq(): the user's last committed change sequence (one get);
// - change_token(): the opaque token for a sequence, as GET /sync returns in `next` (also a Last-Event-ID);
// - read_changes(): the changes after a token, in commit order, at most `limit` log entries, with the token
//   after them; throws the feed's errors (400 VALIDATION_ERROR naming `since` for a tampered or another
//   user's token, 410 SYNC_TOO_OLD for one older than changes::kTokenLifetime);
// - ServiceContext::user_changed: called after each local commit of a user's change.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ports/item_store.hpp"
#include "services/context.hpp"
#include "util/json.hpp"

namespace kefir::services {

inline constexpr std::size_t kDefaultSyncLimit = 500;
inline constexpr std::size_t kMaxSyncLimit = 1000;

struct ChangePage {
  // {"batches":{"created":[..],"updated":[..],"deleted":[ids]},"events":{..},"reminders":{..},"devices":{..},
  //  "photos":{..}}; a record changed several times appears once, in its current state.
  json::object changes;
  std::string next;            // the token after these changes
  bool more = false;           // more changes follow `next` already
  std::uint64_t last_seq = 0;  // the sequence `next` stands for
};

std::uint64_t current_change_seq(store::ItemStore& store, const std::string& user_id);
std::string change_token(ServiceContext& ctx, const std::string& user_id, std::uint64_t seq);
ChangePage read_changes(ServiceContext& ctx, const std::string& user_id, std::string_view since,
                        std::size_t limit);

// Everything the user has now, as `created`, with a token read before it: nothing committed while it is read
// is lost (at worst sent again by the next pull, which is harmless).
ChangePage read_full_state(ServiceContext& ctx, const std::string& user_id);

// POST /sync: applies a client's changes {"lastPulledAt": token, "changes": {table: {created, updated,
// deleted}}} through the same services and validation as the REST API, each record in its own transaction.
// A record the server changed after lastPulledAt (and that is not already as pushed) is not applied but
// listed in `conflicts` with the server's current version (null when it no longer exists); the others are
// applied.
struct PushResult {
  std::string next;  // the token after the client's own changes (not past anyone else's)
  std::size_t applied = 0;
  json::array conflicts;       // {"table", "id", "server": record | null, "reason"}
  std::uint64_t last_seq = 0;  // the sequence `next` stands for
};
PushResult push_changes(ServiceContext& ctx, const std::string& user_id, const json::object& body);

// WatermelonDB's protocol (GET/POST /sync/watermelon) names a position by the plain sequence number instead
// of a token (its `lastPulledAt`/`timestamp`). Both throw 400 VALIDATION_ERROR naming `field` for a sequence
// ahead of the user's log, and 410 SYNC_TOO_OLD when the entries after it have expired.
//
// Every change after `seq`, in one page: a WatermelonDB pull has no pages.
ChangePage read_all_changes_after(ServiceContext& ctx, const std::string& user_id, std::uint64_t seq,
                                  std::string_view field);
// POST /sync's push of `changes` (its `changes` shape) by a client that pulled up to `seq`.
PushResult push_changes_after_seq(ServiceContext& ctx, const std::string& user_id, std::uint64_t seq,
                                  const json::object& changes, std::string_view field);
// A WatermelonDB `last_pulled_at`: absent, empty or "null" (a first sync) is 0; else a non-negative integer,
// or 400 naming `field`.
std::uint64_t parse_last_pulled_at(const std::optional<std::string>& text, std::string_view field);

// `?limit=` of GET /sync: 1..kMaxSyncLimit, kDefaultSyncLimit when absent; otherwise 400 naming `limit`.
std::size_t parse_sync_limit(const std::optional<std::string>& text);

}  // namespace kefir::services
