#pragma once
// The item store on DynamoDB (STORE=dynamodb), over its JSON protocol (X-Amz-Target DynamoDB_20120810.<Op>)
// with our SigV4 signer and the pooled libcurl client. Tested against DynamoDB Local, AWS's own emulator.
//
// How the port's guarantees are kept on a service that knows nothing of them:
// - Expired items (TTL <= now, not yet purged by DynamoDB) are filtered out of reads, and every condition is
//   rewritten so an expired item counts as absent: a condition C that holds on an absent item becomes
//   `(C) OR #TTL <= :now`, any other becomes `(attribute_not_exists(#TTL) OR #TTL > :now) AND (C)`.
// - UpdateItem would merge into an expired item's stale attributes, so updates also require a live item; when
//   that fails on an expired one, the expired item is deleted (if still unchanged) and the update retried.
// - Query limits count live items: pages are followed (1 MB pages, filtered-out items) until N are found.
// - Throttling, transaction conflicts, 5xx and network failures are retried with jittered backoff.
//
// This file is the operations; items in DynamoDB's typed JSON are attribute_values.*, the condition, update
// and key expressions expressions.*, and which error responses are retried or become which port exception
// errors.*.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/aws/endpoint.hpp"
#include "adapters/aws/http_client.hpp"
#include "adapters/aws/sigv4.hpp"
#include "config/config.hpp"
#include "ports/clock.hpp"
#include "ports/item_store.hpp"

namespace kefir::store {

struct DynamoDbOptions {
  std::string table_name;
  std::string endpoint;  // URL; empty: https://dynamodb.<region>.amazonaws.com
  std::string region = "us-east-1";
  aws::Credentials credentials;
  aws::RetryPolicy retry;
  net::HttpClientOptions http;

  // TABLE_NAME, DYNAMODB_ENDPOINT (else AWS_ENDPOINT_URL), AWS_REGION and the AWS_* credentials.
  static DynamoDbOptions from_config(const Config& config);
};

class DynamoDbItemStore final : public ItemStore {
 public:
  // Throws StoreUnavailable when the endpoint or the credentials are unusable.
  DynamoDbItemStore(DynamoDbOptions options, const Clock& clock);

  // Observability hooks, set by the app before the store is used. on_throttle fires for every response that
  // is retried because the service pushed back (throttling, transaction conflict, 5xx); on_duration reports
  // each DynamoDB API call, retries included.
  void set_on_throttle(std::function<void(std::string_view operation)> hook) {
    on_throttle_ = std::move(hook);
  }
  void set_on_duration(std::function<void(std::string_view operation, double seconds)> hook) {
    on_duration_ = std::move(hook);
  }

  std::optional<Item> get(const Key& key) override;
  void put(const Item& item, const std::optional<Condition>& condition = std::nullopt) override;
  Item update(const Key& key, const Update& update,
              const std::optional<Condition>& condition = std::nullopt) override;
  std::optional<Item> remove(const Key& key,
                             const std::optional<Condition>& condition = std::nullopt) override;
  QueryPage query(const Query& query) override;
  void transact_write(const std::vector<WriteOp>& operations) override;
  bool ready() override;
  std::optional<std::uint64_t> data_version() override { return std::nullopt; }

  // Creates the table (PK/SK, GSI1 with every attribute projected, on-demand billing), waits until it and its
  // index are active, and enables TTL on `TTL`. An existing table is fine: every step is skipped when done.
  void create_table(std::chrono::seconds timeout = std::chrono::seconds(300));

 private:
  json::object call(std::string_view operation, const json::object& request, bool retry = true);
  net::HttpResponse send(std::string_view operation, const std::string& body) const;
  std::optional<Item> raw_get(const Key& key);
  bool purge_if_expired(const Key& key);
  std::int64_t now_seconds() const;

  DynamoDbOptions options_;
  const Clock& clock_;
  aws::Endpoint endpoint_;
  aws::Signer signer_;
  std::unique_ptr<net::HttpClient> http_;
  std::function<void(std::string_view)> on_throttle_;
  std::function<void(std::string_view, double)> on_duration_;
};

}  // namespace kefir::store
