#include "domain/change_log.hpp"

#include "domain/keys.hpp"
#include "util/crypto.hpp"

namespace kefir::changes {
namespace {

// A token is a short JSON object and its MAC; anything longer was not made here.
constexpr std::size_t kMaxTokenLength = 1024;

constexpr std::string_view op_code(Op op) {
  switch (op) {
    case Op::create:
      return "c";
    case Op::update:
      return "u";
    case Op::remove:
      return "d";
  }
  return "u";
}

Op op_from_code(std::string_view code) {
  if (code == "c") return Op::create;
  if (code == "d") return Op::remove;
  return Op::update;
}

bool on_condition_absent(const std::optional<store::Condition>& condition) {
  return condition && condition->op == store::Condition::Op::not_exists && condition->attribute == "PK";
}

Op op_of(const store::WriteOp& write) {
  if (std::holds_alternative<store::Delete>(write)) return Op::remove;
  if (const auto* put = std::get_if<store::Put>(&write))
    return on_condition_absent(put->condition) ? Op::create : Op::update;
  if (const auto* update = std::get_if<store::UpdateItem>(&write))
    return on_condition_absent(update->condition) ? Op::create : Op::update;
  return Op::update;
}

std::optional<store::Key> written_key(const store::WriteOp& write) {
  if (const auto* put = std::get_if<store::Put>(&write)) return store::key_of(put->item);
  if (const auto* update = std::get_if<store::UpdateItem>(&write)) return update->key;
  if (const auto* remove = std::get_if<store::Delete>(&write)) return remove->key;
  return std::nullopt;  // a check writes nothing
}

std::optional<std::string> after_prefix(std::string_view text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return std::nullopt;
  return std::string(text.substr(prefix.size()));
}

}  // namespace

std::string_view table_name(Kind kind) {
  switch (kind) {
    case Kind::batch:
      return "batches";
    case Kind::event:
      return "events";
    case Kind::reminder:
      return "reminders";
    case Kind::device:
      return "devices";
    case Kind::photo:
      return "photos";
    case Kind::reading:
      return "readings";
  }
  return "batches";
}

std::optional<Kind> kind_from_table_name(std::string_view name) {
  for (auto kind : kKinds)
    if (table_name(kind) == name) return kind;
  return std::nullopt;
}

std::optional<OwnedRecord> changed_record(const store::WriteOp& write, std::string_view event_owner) {
  auto key = written_key(write);
  if (!key) return std::nullopt;
  OwnedRecord owned;
  owned.record.key = *key;
  owned.record.op = op_of(write);
  auto& record = owned.record;
  if (auto batch_id = after_prefix(key->pk, keys::kBatchPrefix)) {
    if (auto event_part = after_prefix(key->sk, keys::kEventPrefix)) {
      // "EVENT#<timestamp>#<eventId>"
      record.kind = Kind::event;
      record.id = event_part->substr(event_part->rfind('#') + 1);
    } else if (auto reading_part = after_prefix(key->sk, keys::kReadingPrefix)) {
      record.kind = Kind::reading;
      record.id = std::move(*reading_part);
    } else {
      return std::nullopt;
    }
    record.batch_id = std::move(*batch_id);
    owned.user_id = std::string(event_owner);
    return owned;
  }
  auto user_id = after_prefix(key->pk, keys::kUserPrefix);
  if (!user_id) return std::nullopt;
  owned.user_id = std::move(*user_id);
  const std::pair<std::string_view, Kind> user_records[] = {{keys::kBatchPrefix, Kind::batch},
                                                            {keys::kReminderPrefix, Kind::reminder},
                                                            {keys::kDevicePrefix, Kind::device},
                                                            {keys::kPhotoPrefix, Kind::photo}};
  for (const auto& [prefix, kind] : user_records) {
    if (auto id = after_prefix(key->sk, prefix)) {
      record.kind = kind;
      record.id = std::move(*id);
      return owned;
    }
  }
  return std::nullopt;
}

store::LogAppend entry_append(std::string_view user_id, const std::vector<Record>& records, TimePoint now) {
  json::array listed;
  listed.reserve(records.size());
  for (const auto& record : records) {
    json::object named{{"k", table_name(record.kind)},
                       {"id", record.id},
                       {"pk", record.key.pk},
                       {"sk", record.key.sk},
                       {"op", op_code(record.op)}};
    if (!record.batch_id.empty()) named["b"] = record.batch_id;
    listed.push_back(std::move(named));
  }
  return {keys::change_counter(user_id),
          {{"PK", keys::user_pk(user_id)},
           {"at", epoch_millis(now)},
           {"records", std::move(listed)},
           {"TTL", epoch_seconds(now + kEntryLifetime)}},
          std::string(keys::kChangePrefix)};
}

std::uint64_t entry_seq(const store::Item& entry) {
  return static_cast<std::uint64_t>(json_int(entry, "seq").value_or(0));
}

TimePoint entry_time(const store::Item& entry) {
  return from_epoch_millis(json_int(entry, "at").value_or(0));
}

std::vector<Record> entry_records(const store::Item& entry) {
  std::vector<Record> records;
  const auto* listed = entry.if_contains("records");
  if (!listed || !listed->is_array()) return records;
  for (const auto& value : listed->get_array()) {
    if (!value.is_object()) continue;
    const auto& named = value.get_object();
    auto kind = kind_from_table_name(json_string(named, "k"));
    if (!kind) continue;
    records.push_back({*kind,
                       json_string(named, "id"),
                       json_string(named, "b"),
                       {json_string(named, "pk"), json_string(named, "sk")},
                       op_from_code(json_string(named, "op"))});
  }
  return records;
}

std::uint64_t counter_seq(const std::optional<store::Item>& counter) {
  if (!counter) return 0;
  return static_cast<std::uint64_t>(json_int(*counter, "seq").value_or(0));
}

std::string TokenCodec::encode(const Position& position) const {
  auto payload = json::serialize(json::object{{"u", position.user_id},
                                              {"s", static_cast<std::int64_t>(position.seq)},
                                              {"t", epoch_millis(position.issued)}});
  return crypto::base64url_encode(payload) + "." +
         crypto::base64url_encode(crypto::hmac_sha256(key_, payload));
}

TokenCodec::Decoded TokenCodec::decode(std::string_view token, std::string_view user_id,
                                       TimePoint now) const {
  Decoded invalid;
  if (token.size() > kMaxTokenLength) return invalid;
  auto dot = token.find('.');
  if (dot == std::string_view::npos) return invalid;
  std::string payload, mac;
  if (!crypto::base64url_decode(token.substr(0, dot), payload) ||
      !crypto::base64url_decode(token.substr(dot + 1), mac))
    return invalid;
  if (!crypto::constant_time_equal(mac, crypto::hmac_sha256(key_, payload))) return invalid;
  boost::system::error_code ec;
  auto value = json::parse(payload, ec);
  if (ec || !value.is_object()) return invalid;
  const auto& fields = value.get_object();
  auto seq = json_int(fields, "s");
  auto issued = json_int(fields, "t");
  if (json_string(fields, "u") != user_id || !seq || *seq < 0 || !issued) return invalid;
  Position position{std::string(user_id), static_cast<std::uint64_t>(*seq), from_epoch_millis(*issued)};
  if (now - position.issued > kTokenLifetime) return {std::nullopt, TokenProblem::too_old};
  return {std::move(position), TokenProblem::invalid};
}

}  // namespace kefir::changes
