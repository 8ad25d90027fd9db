#include "ports/item_store.hpp"

#include <cstdio>

#include "util/backoff.hpp"
#include "util/suspension.hpp"

namespace kefir::store {
namespace {

// N transactions racing for one counter need at most N attempts; the bound only stops a pathological storm.
constexpr RetryPolicy kCounterRetry{64, std::chrono::milliseconds(2), std::chrono::milliseconds(200)};

std::uint64_t counter_number(const std::optional<Item>& counter) {
  if (!counter) return 0;
  return static_cast<std::uint64_t>(json_int(*counter, "seq").value_or(0));
}

}  // namespace

std::string log_sort_key(std::string_view prefix, std::uint64_t number) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(number));
  return std::string(prefix) + digits;
}

std::optional<std::string> ItemStore::get_document(const Key& key) {
  auto item = get(key);
  if (!item) return std::nullopt;
  return json::serialize(*item);
}

DocumentPage ItemStore::query_documents(const Query& query) {
  auto page = this->query(query);
  DocumentPage documents;
  for (const auto& item : page.items) documents.documents.push_back(json::serialize(item));
  documents.last_key = std::move(page.last_key);
  return documents;
}

std::vector<std::uint64_t> ItemStore::transact_append(const std::vector<WriteOp>& operations,
                                                      const std::vector<LogAppend>& appends) {
  if (operations.size() + 2 * appends.size() > kMaxTransactionItems)
    throw std::invalid_argument("a transaction with its log appends has more than " +
                                std::to_string(kMaxTransactionItems) + " items");
  std::vector<std::uint64_t> numbers(appends.size());
  auto transaction = operations;
  for (int attempt = 0; attempt < kCounterRetry.max_attempts; ++attempt) {
    if (attempt > 0) suspension::sleep_for(kCounterRetry.delay(attempt - 1));
    transaction.resize(operations.size());
    for (std::size_t i = 0; i < appends.size(); ++i) {
      const auto& append = appends[i];
      const auto read = counter_number(get(append.counter));
      numbers[i] = read + 1;
      auto entry = append.entry;
      entry["SK"] = log_sort_key(append.sort_prefix, numbers[i]);
      entry["seq"] = static_cast<std::int64_t>(numbers[i]);  // both stores read numbers back as int64
      transaction.emplace_back(Put{std::move(entry), {}});
      transaction.emplace_back(Put{
          {{"PK", append.counter.pk},
           {"SK", append.counter.sk},
           {"seq", static_cast<std::int64_t>(numbers[i])}},
          read == 0 ? Condition::item_absent() : Condition::equals("seq", static_cast<std::int64_t>(read))});
    }
    try {
      transact_write(transaction);
      return numbers;
    } catch (const ConditionFailed& failed) {
      if (failed.index() < static_cast<int>(operations.size())) throw;
    }
  }
  throw StoreThrottled("too many concurrent appends to one log");
}

}  // namespace kefir::store
