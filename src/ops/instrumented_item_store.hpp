#pragma once
// The storage port with its operation durations in the metrics (SPEC §10): wraps whichever adapter the
// configuration chose, so both stores report the same series (`store` label: "sqlite", "dynamodb").
#include <memory>
#include <string>

#include "ops/metrics.hpp"
#include "ports/item_store.hpp"

namespace kefir::ops {

class InstrumentedItemStore final : public store::ItemStore {
 public:
  InstrumentedItemStore(std::unique_ptr<store::ItemStore> inner, std::string store_name,
                        ServiceMetrics& metrics);

  std::optional<store::Item> get(const store::Key& key) override;
  void put(const store::Item& item, const std::optional<store::Condition>& condition = std::nullopt) override;
  store::Item update(const store::Key& key, const store::Update& update,
                     const std::optional<store::Condition>& condition = std::nullopt) override;
  std::optional<store::Item> remove(const store::Key& key,
                                    const std::optional<store::Condition>& condition = std::nullopt) override;
  std::optional<std::string> get_document(const store::Key& key) override;
  store::QueryPage query(const store::Query& query) override;
  store::DocumentPage query_documents(const store::Query& query) override;
  void transact_write(const std::vector<store::WriteOp>& operations) override;
  std::vector<std::uint64_t> transact_append(const std::vector<store::WriteOp>& operations,
                                             const std::vector<store::LogAppend>& appends) override;
  bool ready() override;
  std::optional<std::uint64_t> data_version() override { return inner_->data_version(); }
  std::optional<std::uint64_t> partition_version(std::string_view partition,
                                                 std::string_view sort_kind) override {
    return inner_->partition_version(partition, sort_kind);
  }

 private:
  template <class Call>
  auto timed(std::string_view operation, Call call);

  std::unique_ptr<store::ItemStore> inner_;
  std::string store_name_;
  ServiceMetrics& metrics_;
};

}  // namespace kefir::ops
