#pragma once
// Idempotency-Key on authenticated POSTs (SPEC §1): the first request with a key claims a record
// (IDEMP#<userId>#<key>, TTL 24 h) with a conditional put before the handler runs, then stores its response
// there. A retry with the same key and the same request gets that response back without acting again; the
// same key with another request is a 409. A retry arriving while the first is still running waits for its
// response.
#include <chrono>
#include <string_view>

#include "http/router.hpp"
#include "ports/clock.hpp"
#include "ports/item_store.hpp"

namespace kefir::http {

struct IdempotencyOptions {
  std::chrono::seconds retention{24 * 3600};
  // How long a concurrent retry waits for the first request's response before answering 409 "in progress".
  std::chrono::milliseconds wait{5000};
  // A claim whose request has not completed within this (its process died) may be taken over by a retry.
  std::chrono::milliseconds lease{60000};
};

// 1-128 printable ASCII characters.
bool valid_idempotency_key(std::string_view key);

// Runs after authentication: it needs the request's user id.
Middleware idempotency(store::ItemStore& store, const Clock& clock, IdempotencyOptions options = {});

}  // namespace kefir::http
