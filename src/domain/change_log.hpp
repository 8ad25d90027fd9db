#pragma once
// The per-user change log (issue 17): which records a committed transaction changed, and the sync token that
// names a position in the log. Pure: no I/O.
//
// An entry names the changed records by their storage key, not a snapshot of them: a pull reads the records'
// current state, so a record changed twice shows once in its latest state, and an entry stays small whatever
// the record (a transaction of the reminder processor logs up to 25 reminders in one entry per user).
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ports/item_store.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

namespace kefir::changes {

enum class Kind { batch, event, reminder, device, photo, reading };
// The record kinds in the order the feed lists them, with the feed's names ("batches"...).
inline constexpr std::array<Kind, 6> kKinds = {Kind::batch,  Kind::event, Kind::reminder,
                                               Kind::device, Kind::photo, Kind::reading};
std::string_view table_name(Kind kind);
std::optional<Kind> kind_from_table_name(std::string_view name);

enum class Op { create, update, remove };

struct Record {
  Kind kind = Kind::batch;
  std::string id;
  std::string batch_id;  // events and readings
  store::Key key;        // where the record's item lives
  Op op = Op::update;
};

// The record a write changes, when it writes a user record (batch, event, reminder, device, photo, reading)
// rather than a claim, a counter, a roll-up or a check; with the id of the user it belongs to. Events and
// readings live under their batch, so their owner is `event_owner`. A reading's id is its sort key after
// "READING#": "<minute>#<sensorId>".
struct OwnedRecord {
  std::string user_id;
  Record record;
};
std::optional<OwnedRecord> changed_record(const store::WriteOp& write, std::string_view event_owner);

// Entries expire after kEntryLifetime; a token is honoured for kTokenLifetime, so the entries it still needs
// are always kept.
inline constexpr std::chrono::days kEntryLifetime{35};
inline constexpr std::chrono::days kTokenLifetime{30};

// The entry of a transaction that changed `records`, appended to the user's log (the store numbers it).
store::LogAppend entry_append(std::string_view user_id, const std::vector<Record>& records, TimePoint now);
std::uint64_t entry_seq(const store::Item& entry);
TimePoint entry_time(const store::Item& entry);
std::vector<Record> entry_records(const store::Item& entry);

std::uint64_t counter_seq(const std::optional<store::Item>& counter);

// A position in a user's log: every change up to `seq` has been seen. `issued` bounds the age of the oldest
// change after it the client still needs, which must not have expired.
struct Position {
  std::string user_id;
  std::uint64_t seq = 0;
  TimePoint issued;
};

enum class TokenProblem { invalid, too_old };

// Opaque, HMAC-signed tokens.
class TokenCodec {
 public:
  explicit TokenCodec(std::string key) : key_(std::move(key)) {}
  std::string encode(const Position& position) const;
  // The position, or why it cannot be used by `user_id` at `now`: tampered, malformed or another user's
  // (invalid), or older than kTokenLifetime (too_old).
  struct Decoded {
    std::optional<Position> position;
    TokenProblem problem = TokenProblem::invalid;
  };
  Decoded decode(std::string_view token, std::string_view user_id, TimePoint now) const;

 private:
  std::string key_;
};

}  // namespace kefir::changes
