#include "http/idempotency.hpp"

#include "domain/keys.hpp"
#include "util/crypto.hpp"
#include "util/ids.hpp"
#include "util/log.hpp"
#include "util/suspension.hpp"

namespace kefir::http {
namespace {

// Responses worth replaying are small JSON documents; anything larger is not kept (item size limits).
constexpr std::size_t kMaxStoredBody = 256 * 1024;
constexpr std::string_view kReplayedHeaders[] = {"content-type", "etag", "location"};

std::optional<std::string_view> header_if_sent(const Request& request, std::string_view name) {
  for (const auto& [key, value] : request.headers)
    if (key == name) return std::string_view(value);
  return std::nullopt;
}

Response replay(const store::Item& record) {
  Response response;
  response.status = static_cast<int>(json_int(record, "status").value_or(200));
  response.body = json_string(record, "body");
  if (auto* headers = record.if_contains("headers"); headers && headers->is_object())
    for (const auto& [name, value] : headers->get_object())
      if (value.is_string()) response.set_header(std::string(name), std::string(value.get_string()));
  response.set_header("idempotent-replayed", "true");
  return response;
}

class Attempt {
 public:
  Attempt(store::ItemStore& store, const Clock& clock, const IdempotencyOptions& options, store::Key key,
          std::string request_hash)
      : store_(store),
        clock_(clock),
        options_(options),
        key_(std::move(key)),
        request_hash_(std::move(request_hash)),
        claim_id_(uuid_v4()) {}

  // Claims the record when it is free (absent, expired) or when the claim named `stale_claim` has expired.
  bool claim(const std::optional<std::string>& stale_claim = std::nullopt) {
    auto now = clock_.now();
    store::Item record{{"PK", key_.pk},
                       {"SK", key_.sk},
                       {"state", "pending"},
                       {"requestHash", request_hash_},
                       {"claimId", claim_id_},
                       {"leaseUntil", epoch_millis(now + options_.lease)},
                       {"TTL", epoch_seconds(now + options_.retention)}};
    try {
      store_.put(record, stale_claim ? store::Condition::equals("claimId", json::string(*stale_claim))
                                     : store::Condition::item_absent());
      return true;
    } catch (const store::ConditionFailed&) {
      return false;
    }
  }

  Response run(Request& request, const Handler& next) {
    Response response;
    try {
      response = next(request);
    } catch (...) {
      release();
      throw;
    }
    // A failure may not have acted, and a streamed body cannot be kept: let a retry run the request again.
    if (response.status >= 500 || response.stream || response.body_view().size() > kMaxStoredBody) {
      release();
      return response;
    }
    json::object headers;
    for (auto name : kReplayedHeaders)
      if (auto value = response.header(name); !value.empty()) headers[name] = value;
    store::Update complete;
    complete.set = {{"state", "complete"},
                    {"status", response.status},
                    {"body", response.body_view()},
                    {"headers", std::move(headers)}};
    complete.remove = {"leaseUntil"};
    try {
      store_.update(key_, complete, store::Condition::equals("claimId", json::string(claim_id_)));
    } catch (const std::exception& error) {
      // The request did act; a retry before the lease ends waits and then runs it again. Say so in the log.
      log::warn("idempotency record not completed",
                {{"requestId", request.request_id}, {"error", error.what()}});
    }
    return response;
  }

 private:
  void release() {
    try {
      store_.remove(key_, store::Condition::equals("claimId", json::string(claim_id_)));
    } catch (const std::exception& error) {
      log::warn("idempotency claim not released", {{"error", error.what()}});
    }
  }

  store::ItemStore& store_;
  const Clock& clock_;
  const IdempotencyOptions& options_;
  store::Key key_;
  std::string request_hash_;
  std::string claim_id_;
};

}  // namespace

bool valid_idempotency_key(std::string_view key) {
  if (key.empty() || key.size() > 128) return false;
  for (unsigned char c : key)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

Middleware idempotency(store::ItemStore& store, const Clock& clock, IdempotencyOptions options) {
  return [&store, &clock, options](Request& request, const Route&, const Handler& next) -> Response {
    if (request.method != "POST" || request.user_id.empty()) return next(request);
    auto key = header_if_sent(request, "idempotency-key");
    if (!key) return next(request);
    if (!valid_idempotency_key(*key))
      throw domain::invalid("Idempotency-Key", "must be 1-128 printable ASCII characters");

    auto request_hash = crypto::sha256_hex(request.method + ' ' + request.target + '\n' + request.body);
    Attempt attempt(store, clock, options, keys::idempotency(request.user_id, *key), request_hash);
    if (attempt.claim()) return attempt.run(request, next);

    const auto record_key = keys::idempotency(request.user_id, *key);
    const auto give_up = std::chrono::steady_clock::now() + options.wait;
    auto pause = std::chrono::milliseconds(10);
    while (true) {
      if (auto record = store.get(record_key)) {
        if (json_string(*record, "requestHash") != request_hash)
          throw domain::conflict("Idempotency-Key was already used with a different request");
        if (json_string(*record, "state") == "complete") return replay(*record);
        auto lease_until = json_int(*record, "leaseUntil").value_or(0);
        if (lease_until < epoch_millis(clock.now()) && attempt.claim(json_string(*record, "claimId")))
          return attempt.run(request, next);
      } else if (attempt.claim()) {
        // Released by a first attempt that failed, or expired: this request is now the first.
        return attempt.run(request, next);
      }
      if (std::chrono::steady_clock::now() >= give_up) {
        // Retry-After tells this 409 (try again) from the one for a reused key (never again).
        throw domain::Error(domain::Failure::Conflict, "CONFLICT",
                            "a request with this Idempotency-Key is still in progress; retry later", {}, 1);
      }
      suspension::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(200));
    }
  };
}

}  // namespace kefir::http
