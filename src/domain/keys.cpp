#include "domain/keys.hpp"

#include <cstdio>

#include "util/crypto.hpp"

namespace kefir::keys {

std::string due_shard(std::string_view reminder_id) {
  // FNV-1a over the id: stable across processes and machines (std::hash is not).
  std::uint32_t hash = 2166136261u;
  for (unsigned char c : reminder_id) hash = (hash ^ c) * 16777619u;
  char buf[8];
  std::snprintf(buf, sizeof buf, "DUE#%02u", hash % kDueShards);
  return buf;
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
