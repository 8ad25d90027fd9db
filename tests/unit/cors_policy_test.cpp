#include "http/cors.hpp"

#include <gtest/gtest.h>

namespace kefir::http {
namespace {

TEST(CorsPolicy, AllowAnyAdmitsEveryOrigin) {
  auto policy = CorsPolicy::allow_any();
  EXPECT_TRUE(policy.allows_any());
  EXPECT_TRUE(policy.allows("http://localhost:19006"));
  EXPECT_TRUE(policy.allows("null"));
}

TEST(CorsPolicy, ExactEntriesMatchSchemeHostAndPortIgnoringCaseAndTrailingSlash) {
  auto policy = CorsPolicy::allow_only({"https://KefirProducer.com/", "http://localhost:19006"});
  EXPECT_FALSE(policy.allows_any());
  EXPECT_TRUE(policy.allows("https://kefirproducer.com"));
  EXPECT_TRUE(policy.allows("HTTPS://KEFIRPRODUCER.COM"));
  EXPECT_TRUE(policy.allows("http://localhost:19006"));
  EXPECT_FALSE(policy.allows("http://kefirproducer.com"));
  EXPECT_FALSE(policy.allows("https://kefirproducer.com:8443"));
  EXPECT_FALSE(policy.allows("http://localhost:19007"));
  EXPECT_FALSE(policy.allows(""));
}

TEST(CorsPolicy, WildcardEntryAdmitsSubdomainsButNotTheDomainOrLookalikes) {
  auto policy = CorsPolicy::allow_only({"https://*.kefirproducer.com"});
  EXPECT_TRUE(policy.allows("https://app.kefirproducer.com"));
  EXPECT_TRUE(policy.allows("https://eu.app.kefirproducer.com"));
  EXPECT_TRUE(policy.allows("https://my-app.kefirproducer.com"));
  EXPECT_FALSE(policy.allows("https://kefirproducer.com"));
  EXPECT_FALSE(policy.allows("https://evilkefirproducer.com"));
  EXPECT_FALSE(policy.allows("https://kefirproducer.com.evil.net"));
  EXPECT_FALSE(policy.allows("https://evil.net/.kefirproducer.com"));
  EXPECT_FALSE(policy.allows("https://a.kefirproducer.com:8443"));
  EXPECT_FALSE(policy.allows("http://app.kefirproducer.com"));
  EXPECT_FALSE(policy.allows("https://.kefirproducer.com"));
  EXPECT_FALSE(policy.allows("https://a..kefirproducer.com"));
  EXPECT_FALSE(policy.allows("https://a@b.kefirproducer.com"));
}

}  // namespace
}  // namespace kefir::http
