#pragma once
// What handlers and jobs share: the services' context (configuration, ports, hooks) and what only the HTTP
// side uses. Adapters are chosen in app/app.cpp; domain and API code sees only the port interfaces.
#include <memory>

#include "adapters/webpush/vapid_key.hpp"
#include "app/page_cache.hpp"
#include "ops/metrics.hpp"
#include "services/context.hpp"

namespace kefir {

namespace jobs {
class StreamHub;
}

struct AppContext : ServiceContext {
  // The Web Push identity: browsers subscribe with its public key, reminders are signed with it.
  std::shared_ptr<const push::VapidKey> vapid;
  // Serialized list pages (LIST_CACHE_MB); null when off. Only worth it, and only correct, with a store that
  // reports a data version.
  std::unique_ptr<PageCache> list_pages;
  ops::ServiceMetrics* metrics = nullptr;  // set by App; what /metrics exposes
  // The blob store when it serves its presigned URLs itself (BLOBS=file: the /blobs routes); null on S3.
  blob::SelfServedBlobStore* self_served_blobs = nullptr;
  // The live streams of this process (GET /me/stream), owned by App's jobs; null where responses are
  // buffered (Lambda).
  jobs::StreamHub* live_streams = nullptr;
};

}  // namespace kefir
