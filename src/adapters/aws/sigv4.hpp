#pragma once
// AWS Signature Version 4, written from the published algorithm: canonical request -> string to sign -> HMAC
// chain of the signing key. Header signing serves the DynamoDB and S3 API calls; query-string signing makes
// the presigned S3 URLs handed to clients. tests/unit/sigv4_test.cpp pins it to AWS's own known-answer
// vectors.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/message.hpp"
#include "util/time.hpp"

namespace kefir::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials (STS, Lambda); empty otherwise
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;  // decoded names and values

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// A request as the signer sees it. The path and query are given decoded: the signer encodes them, and the URL
// that is sent must use the same encoding (canonical_path / canonical_query), which S3 requires to match.
struct SignableRequest {
  std::string method;
  std::string host;  // as sent in the Host header: with the port unless it is the scheme's default
  std::string path = "/";
  QueryParams query;
  http::Headers headers;     // further headers to sign (content-type, x-amz-tagging...); any case, any order
  std::string payload_hash;  // hex SHA-256 of the body, or kUnsignedPayload
};

// Every intermediate, so tests can compare each step with the published vectors.
struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;    // "host;x-amz-date"
  std::string credential_scope;  // "20150830/us-east-1/service/aws4_request"
  std::string signature;         // lower-case hex
};

// RFC 3986 encoding as SigV4 defines it (unreserved characters kept, upper-case hex); '/' kept in paths.
std::string uri_encode(std::string_view text, bool encode_slash);
std::string canonical_path(std::string_view decoded_path);
std::string canonical_query(const QueryParams& params);  // sorted, encoded, joined with '&'
std::string signing_key(std::string_view secret_access_key, std::string_view date, std::string_view region,
                        std::string_view service);  // raw 32 bytes; date is "YYYYMMDD"

class Signer {
 public:
  Signer(Credentials credentials, std::string region, std::string service);

  const Credentials& credentials() const { return credentials_; }
  const std::string& region() const { return region_; }

  // Header signing. Returns the headers to send besides Host: the request's own, x-amz-date, the session
  // token (signed) when there is one, and Authorization.
  http::Headers sign_headers(const SignableRequest& request, TimePoint now) const;
  // Query-string signing (presigned URL). Returns the complete encoded query string, signature last; the
  // request's headers are signed and must be sent unchanged by whoever uses the URL. The payload is unsigned.
  std::string presign_query(const SignableRequest& request, TimePoint now,
                            std::chrono::seconds expires_in) const;

  // The computation both of the above build on; `request` must already carry x-amz-date (header signing) or
  // the X-Amz-* query parameters (query signing).
  Signature sign(const SignableRequest& request, TimePoint now) const;

 private:
  std::string credential_scope(std::string_view date) const;

  Credentials credentials_;
  std::string region_;
  std::string service_;
};

}  // namespace kefir::aws
