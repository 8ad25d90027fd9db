#include "ops/instrumented_item_store.hpp"

#include <chrono>

namespace kefir::ops {

InstrumentedItemStore::InstrumentedItemStore(std::unique_ptr<store::ItemStore> inner, std::string store_name,
                                             ServiceMetrics& metrics)
    : inner_(std::move(inner)), store_name_(std::move(store_name)), metrics_(metrics) {}

// Failed operations count too: a slow condition failure or timeout is exactly what the histogram should show.
template <class Call>
auto InstrumentedItemStore::timed(std::string_view operation, Call call) {
  struct Timer {
    InstrumentedItemStore& self;
    std::string_view operation;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    ~Timer() {
      self.metrics_.storage_operation(
          self.store_name_, operation,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
  } timer{*this, operation};
  return call();
}

std::optional<store::Item> InstrumentedItemStore::get(const store::Key& key) {
  return timed("get", [&] { return inner_->get(key); });
}

void InstrumentedItemStore::put(const store::Item& item, const std::optional<store::Condition>& condition) {
  timed("put", [&] { inner_->put(item, condition); });
}

store::Item InstrumentedItemStore::update(const store::Key& key, const store::Update& update,
                                          const std::optional<store::Condition>& condition) {
  return timed("update", [&] { return inner_->update(key, update, condition); });
}

std::optional<store::Item> InstrumentedItemStore::remove(const store::Key& key,
                                                         const std::optional<store::Condition>& condition) {
  return timed("remove", [&] { return inner_->remove(key, condition); });
}

std::optional<std::string> InstrumentedItemStore::get_document(const store::Key& key) {
  return timed("get", [&] { return inner_->get_document(key); });
}

store::QueryPage InstrumentedItemStore::query(const store::Query& query) {
  return timed("query", [&] { return inner_->query(query); });
}

store::DocumentPage InstrumentedItemStore::query_documents(const store::Query& query) {
  return timed("query", [&] { return inner_->query_documents(query); });
}

void InstrumentedItemStore::transact_write(const std::vector<store::WriteOp>& operations) {
  timed("transact_write", [&] { inner_->transact_write(operations); });
}

std::vector<std::uint64_t> InstrumentedItemStore::transact_append(
    const std::vector<store::WriteOp>& operations, const std::vector<store::LogAppend>& appends) {
  return timed("transact_write", [&] { return inner_->transact_append(operations, appends); });
}

bool InstrumentedItemStore::ready() {
  return inner_->ready();
}

}  // namespace kefir::ops
