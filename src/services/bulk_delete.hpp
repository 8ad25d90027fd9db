#pragma once
// Deleting many items (an account, a batch and its timeline): transactions of at most 25 deletes, the store's
// limit, so every domain's cleanup goes through one well-tested path.
#include <cstddef>
#include <vector>

#include "ports/item_store.hpp"

namespace kefir::services {

// Deletes the keys in transactions of at most store::kMaxTransactionItems. Keys must be distinct.
void delete_keys(store::ItemStore& store, const std::vector<store::Key>& keys);

// Deletes every item `query` matches (on the table or GSI1; items are deleted by their table key) and returns
// how many. `query.limit` and `query.start_after` are ignored: everything matching goes.
std::size_t delete_matching(store::ItemStore& store, store::Query query);

}  // namespace kefir::services
