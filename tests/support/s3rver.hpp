#pragma once
// s3rver, an S3-API server from npm, started once per test process (node tests/node/s3rver-main.mjs) on a
// loopback port it picks itself, storing into a temporary directory; stopped at exit. It accepts the access
// key S3RVER (secret S3RVER) and, like every local engine, does not verify SigV4 signatures.
#include <map>
#include <string>

#include "adapters/s3/s3_blob_store.hpp"

namespace kefir::test {

struct S3rver {
  std::string endpoint;  // http://127.0.0.1:<port>
};

// Starts the server on first use; throws when it cannot.
const S3rver& s3rver();

// Creates a bucket with a fresh name and returns its name.
std::string create_s3rver_bucket();
// Adapter options for a bucket on the server (path-style, small list pages so paging is exercised).
blob::S3Options s3rver_options(const std::string& bucket);
// The environment that makes `kefir` use that bucket (BLOBS=s3, S3_ENDPOINT, BUCKET_NAME, AWS_*).
std::map<std::string, std::string> s3rver_env(const std::string& bucket);

}  // namespace kefir::test
