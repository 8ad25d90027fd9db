#pragma once
// Existing data written straight into a store, as it would sit there (benchmarks and large-backlog tests).
#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "ports/item_store.hpp"

namespace kefir::test {

// Puts every item, in transactions of store::kMaxTransactionItems, from `writer_threads` threads so that the
// store can commit them together.
inline void put_in_transactions(store::ItemStore& store, const std::vector<store::Item>& items,
                                unsigned writer_threads) {
  std::atomic<std::size_t> next_chunk = 0;
  const std::size_t chunks = (items.size() + store::kMaxTransactionItems - 1) / store::kMaxTransactionItems;
  std::vector<std::thread> writers;
  for (unsigned t = 0; t < writer_threads; ++t) {
    writers.emplace_back([&] {
      for (auto chunk = next_chunk++; chunk < chunks; chunk = next_chunk++) {
        std::vector<store::WriteOp> writes;
        const auto end = std::min(items.size(), (chunk + 1) * store::kMaxTransactionItems);
        for (auto i = chunk * store::kMaxTransactionItems; i < end; ++i)
          writes.emplace_back(store::Put{items[i], {}});
        store.transact_write(writes);
      }
    });
  }
  for (auto& writer : writers) writer.join();
}

}  // namespace kefir::test
