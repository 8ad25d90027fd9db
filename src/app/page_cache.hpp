#pragma once
// Serialized list pages, kept per user and query while the version of the store partition they were read
// from stays the same (ItemStore::partition_version): an app reloads its batch list far more often than
// anything in it changes. A committed write to the partition, by this process or any other on the store,
// changes the version, so a kept page is never stale; writes to other partitions leave it be (on stores that
// cannot tell partitions apart, every write changes every version). Bounded in bytes, least recently used
// out first.
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kefir {

class PageCache {
 public:
  explicit PageCache(std::size_t capacity_bytes) : capacity_bytes_(capacity_bytes) {}
  PageCache(const PageCache&) = delete;
  PageCache& operator=(const PageCache&) = delete;

  using Body = std::shared_ptr<const std::string>;

  // The body kept for `key` when it was made at `version`; null otherwise.
  Body find(const std::string& key, std::uint64_t version);
  // Keeps `body` for `key`, replacing what was there; a body larger than a quarter of the capacity is not
  // kept.
  void keep(const std::string& key, std::uint64_t version, Body body);

  std::size_t size_bytes() const;

 private:
  struct Entry {
    std::string key;
    std::uint64_t version;
    Body body;
  };
  void erase(std::list<Entry>::iterator entry);

  const std::size_t capacity_bytes_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> by_key_;
  std::size_t bytes_ = 0;
};

}  // namespace kefir
