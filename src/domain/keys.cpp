#include "domain/keys.hpp"

#include <cstdio>

#include "util/crypto.hpp"

namespace kefir::keys {

namespace {

std::string shard_name(std::string_view prefix, std::uint32_t shard) {
  char number[4];
  std::snprintf(number, sizeof number, "%02u", shard);
  return std::string(prefix) + number;
}

// FNV-1a over the id: stable across processes and machines (std::hash is not).
std::uint32_t shard_of(std::string_view id) {
  std::uint32_t hash = 2166136261u;
  for (unsigned char c : id) hash = (hash ^ c) * 16777619u;
  return hash % kDueShards;
}

std::vector<std::string> every_shard(std::string_view prefix) {
  std::vector<std::string> shards;
  for (std::uint32_t shard = 0; shard < static_cast<std::uint32_t>(kDueShards); ++shard)
    shards.push_back(shard_name(prefix, shard));
  return shards;
}

}  // namespace

std::string due_shard(std::string_view reminder_id) {
  return shard_name("DUE#", shard_of(reminder_id));
}

std::string silence_shard(std::string_view sensor_id) {
  return shard_name(kSilenceShardPrefix, shard_of(sensor_id));
}

std::vector<std::string> silence_shards() {
  return every_shard(kSilenceShardPrefix);
}

std::string rendition_shard(std::string_view photo_key) {
  return shard_name(kRenditionShardPrefix, shard_of(photo_key));
}

std::vector<std::string> rendition_shards() {
  return every_shard(kRenditionShardPrefix);
}

store::Key push_token_claim(std::string_view push_address) {
  // Expo tokens start "Expo", so only an endpoint starts with a URL scheme.
  if (push_address.starts_with("https://") || push_address.starts_with("http://"))
    return {"PUSHTOKEN#WEB#" + crypto::sha256_hex(push_address), "CLAIM"};
  return {"PUSHTOKEN#" + std::string(push_address), "CLAIM"};
}

std::string change_sk(std::uint64_t seq) {
  return store::log_sort_key(kChangePrefix, seq);
}

}  // namespace kefir::keys
