#include "services/bulk_delete.hpp"

#include <algorithm>

namespace kefir::services {
namespace {

// Items read per query round: a few transactions' worth keeps memory flat whatever the count.
constexpr std::size_t kReadChunk = 4 * store::kMaxTransactionItems;

}  // namespace

void delete_keys(store::ItemStore& store, const std::vector<store::Key>& keys) {
  for (std::size_t start = 0; start < keys.size(); start += store::kMaxTransactionItems) {
    auto end = std::min(keys.size(), start + store::kMaxTransactionItems);
    std::vector<store::WriteOp> operations;
    operations.reserve(end - start);
    for (auto i = start; i < end; ++i) operations.emplace_back(store::Delete{keys[i], std::nullopt});
    store.transact_write(operations);
  }
}

std::size_t delete_matching(store::ItemStore& store, store::Query query) {
  // Resuming after each page (rather than re-reading from the start) ends even when reads lag behind deletes,
  // as DynamoDB's eventually consistent queries and GSI1 may.
  query.start_after.reset();
  query.limit = kReadChunk;
  std::size_t deleted = 0;
  while (true) {
    auto page = store.query(query);
    std::vector<store::Key> keys;
    keys.reserve(page.items.size());
    for (const auto& item : page.items) keys.push_back(store::key_of(item));
    delete_keys(store, keys);
    deleted += keys.size();
    if (!page.last_key) return deleted;
    query.start_after = std::move(page.last_key);
  }
}

}  // namespace kefir::services
