#pragma once
// The blob store on S3 or any S3-API server (BLOBS=s3), with our SigV4 signer: clients get presigned URLs
// (query-string signing), the service itself uses header-signed REST calls. Addressing is path-style
// (<endpoint>/<bucket>/<key>) when an endpoint is configured (S3-compatible servers), virtual-host style
// (https://<bucket>.s3.<region>.amazonaws.com/<key>) on AWS.
//
// Pending uploads: the presigned PUT signs `x-amz-tagging: kefir=pending`, so an upload cannot skip the tag;
// attaching replaces the object's tag set with an empty one, and the bucket's lifecycle rule expires what
// is still tagged after 7 days (SPEC §7).
#include <chrono>
#include <memory>
#include <string>

#include "adapters/aws/endpoint.hpp"
#include "adapters/aws/http_client.hpp"
#include "adapters/aws/sigv4.hpp"
#include "config/config.hpp"
#include "ports/blob_store.hpp"

namespace kefir::blob {

struct S3Options {
  std::string bucket;
  std::string endpoint;  // URL of an S3-API server (path-style); empty: AWS, virtual-host style
  std::string region = "us-east-1";
  aws::Credentials credentials;
  aws::RetryPolicy retry{4, std::chrono::milliseconds(50), std::chrono::milliseconds(1000)};
  net::HttpClientOptions http{std::chrono::milliseconds(3000), std::chrono::milliseconds(300000)};
  int list_page_size = 1000;  // ListObjectsV2 max-keys

  // BUCKET_NAME, S3_ENDPOINT (else AWS_ENDPOINT_URL), AWS_REGION and the AWS_* credentials.
  static S3Options from_config(const Config& config);
};

class S3BlobStore final : public BlobStore {
 public:
  // Throws BlobError when the endpoint or the credentials are unusable.
  explicit S3BlobStore(S3Options options);

  PresignedRequest presign_upload(const std::string& key, const std::string& content_type,
                                  std::chrono::seconds expires_in) override;
  PresignedRequest presign_download(const std::string& key, std::chrono::seconds expires_in) override;
  std::optional<BlobInfo> head(const std::string& key) override;
  void mark_attached(const std::string& key) override;
  void remove(const std::string& key) override;
  // Listings carry key, size and last-modified time (S3 lists neither content types nor tags).
  std::vector<BlobInfo> list(const std::string& prefix) override;
  void get_file(const std::string& key, const std::string& path) override;
  void put_file(const std::string& key, const std::string& content_type, const std::string& path) override;

  // For tests and local engines; production buckets are made by infra/ with their lifecycle rules.
  void create_bucket_if_missing();

 private:
  struct Call {
    std::string method;
    std::string path;  // decoded
    aws::QueryParams query;
    http::Headers headers;  // signed
    std::string body;
    std::string file;  // streamed body instead of `body`, sent unsigned
  };

  std::string object_path(const std::string& key) const;
  std::string bucket_path() const;
  std::string url(const std::string& path, const std::string& encoded_query) const;
  net::HttpResponse send(const Call& call);
  PresignedRequest presign(const std::string& method, const std::string& key, http::Headers headers,
                           std::chrono::seconds expires_in) const;

  S3Options options_;
  aws::Endpoint endpoint_;
  bool path_style_;
  aws::Signer signer_;
  std::unique_ptr<net::HttpClient> http_;
};

}  // namespace kefir::blob
