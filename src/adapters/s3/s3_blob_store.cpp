#include "adapters/s3/s3_blob_store.hpp"

#include <openssl/evp.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include "util/crypto.hpp"

namespace kefir::blob {
namespace {

namespace ptree = boost::property_tree;

constexpr std::string_view kPendingTag = "kefir=pending";
constexpr std::int64_t kMaxPresignSeconds = 7 * 24 * 3600;  // SigV4 query signing's limit

TimePoint system_now() {
  return std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
}

ptree::ptree parse_xml(const std::string& text) {
  std::istringstream in(text);
  ptree::ptree tree;
  try {
    ptree::read_xml(in, tree);
  } catch (const ptree::xml_parser_error& e) {
    throw BlobError(std::string("S3: unreadable XML response: ") + e.what());
  }
  return tree;
}

void ensure_ok(const net::HttpResponse& response, std::string_view what) {
  if (response.status >= 200 && response.status < 300) return;
  std::string detail = "HTTP " + std::to_string(response.status);
  if (!response.body.empty()) {
    std::istringstream in(response.body);
    ptree::ptree tree;
    try {
      ptree::read_xml(in, tree);
      detail +=
          " " + tree.get<std::string>("Error.Code", "") + ": " + tree.get<std::string>("Error.Message", "");
    } catch (const ptree::ptree_error&) {
      detail += " " + response.body.substr(0, 200);
    }
  }
  throw BlobError("S3 " + std::string(what) + ": " + detail);
}

// "Wed, 21 Oct 2015 07:28:00 GMT" (HTTP dates, as HeadObject's Last-Modified).
TimePoint parse_http_date(std::string_view text) {
  std::tm parts{};
  std::string copy(text);
  if (!strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S", &parts)) return {};
  return TimePoint(std::chrono::seconds(timegm(&parts)));
}

std::string md5_base64(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr))
    throw BlobError("MD5 digest failed");
  return crypto::base64_encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

aws::Endpoint resolve_endpoint(const S3Options& options) {
  try {
    if (!options.endpoint.empty()) return aws::parse_endpoint(options.endpoint);
    return aws::parse_endpoint("https://" + options.bucket + ".s3." + options.region + ".amazonaws.com");
  } catch (const std::invalid_argument& e) {
    throw BlobError(std::string("S3 endpoint: ") + e.what());
  }
}

}  // namespace

S3Options S3Options::from_config(const Config& config) {
  S3Options options;
  options.bucket = config.bucket_name;
  options.endpoint = !config.s3_endpoint.empty() ? config.s3_endpoint : config.aws_endpoint_url;
  options.region = config.aws_region;
  options.credentials = {config.aws_access_key_id, config.aws_secret_access_key, config.aws_session_token};
  return options;
}

S3BlobStore::S3BlobStore(S3Options options)
    : options_(std::move(options)),
      endpoint_(resolve_endpoint(options_)),
      path_style_(!options_.endpoint.empty()),
      signer_(options_.credentials, options_.region, "s3"),
      http_(std::make_unique<net::HttpClient>(options_.http)) {
  if (options_.credentials.access_key_id.empty() || options_.credentials.secret_access_key.empty())
    throw BlobError("BLOBS=s3 needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  if (options_.bucket.empty()) throw BlobError("BLOBS=s3 needs BUCKET_NAME");
}

std::string S3BlobStore::bucket_path() const {
  if (!path_style_) return "/";
  return (endpoint_.path == "/" ? "" : endpoint_.path) + "/" + options_.bucket;
}

std::string S3BlobStore::object_path(const std::string& key) const {
  return (path_style_ ? bucket_path() : "") + "/" + key;
}

std::string S3BlobStore::url(const std::string& path, const std::string& encoded_query) const {
  // The URL carries exactly the encoding that was signed.
  return endpoint_.origin + aws::canonical_path(path) + (encoded_query.empty() ? "" : "?" + encoded_query);
}

net::HttpResponse S3BlobStore::send(const Call& call) {
  aws::SignableRequest request{
      call.method,  endpoint_.host,
      call.path,    call.query,
      call.headers, call.file.empty() ? crypto::sha256_hex(call.body) : std::string(aws::kUnsignedPayload)};
  request.headers.emplace_back("x-amz-content-sha256", request.payload_hash);
  auto target = url(call.path, aws::canonical_query(call.query));
  for (int attempt = 1;; ++attempt) {
    std::string failure;
    try {
      auto headers = signer_.sign_headers(request, system_now());
      auto response = call.file.empty() ? http_->send(call.method, target, headers, call.body)
                                        : http_->send_file(call.method, target, headers, call.file);
      // 5xx (InternalError, SlowDown) are worth another try; 4xx are answers.
      if (response.status < 500) return response;
      failure = "HTTP " + std::to_string(response.status);
    } catch (const net::NetworkError& e) {
      failure = e.what();
    }
    if (attempt >= options_.retry.max_attempts)
      throw BlobError("S3 " + call.method + " " + call.path + ": " + failure);
    std::this_thread::sleep_for(options_.retry.delay(attempt - 1));
  }
}

PresignedRequest S3BlobStore::presign(const std::string& method, const std::string& key,
                                      http::Headers headers, std::chrono::seconds expires_in) const {
  if (expires_in.count() < 1 || expires_in.count() > kMaxPresignSeconds)
    throw std::invalid_argument("presigned URLs last 1 s to 7 days");
  aws::SignableRequest request{method, endpoint_.host, object_path(key), {}, headers, ""};
  auto query = signer_.presign_query(request, system_now(), expires_in);
  return {url(request.path, query), method, std::move(headers), expires_in.count()};
}

PresignedRequest S3BlobStore::presign_upload(const std::string& key, const std::string& content_type,
                                             std::chrono::seconds expires_in) {
  return presign("PUT", key, {{"Content-Type", content_type}, {"x-amz-tagging", std::string(kPendingTag)}},
                 expires_in);
}

PresignedRequest S3BlobStore::presign_download(const std::string& key, std::chrono::seconds expires_in) {
  return presign("GET", key, {}, expires_in);
}

std::optional<BlobInfo> S3BlobStore::head(const std::string& key) {
  auto response = send({"HEAD", object_path(key)});
  if (response.status == 404) return std::nullopt;
  ensure_ok(response, "HeadObject");
  BlobInfo info;
  info.key = key;
  info.size = std::stoll(
      std::string(response.header("content-length").empty() ? "0" : response.header("content-length")));
  info.content_type = response.header("content-type");
  info.last_modified = parse_http_date(response.header("last-modified"));

  auto tagging = send({"GET", object_path(key), {{"tagging", ""}}});
  if (tagging.status == 404) return std::nullopt;  // deleted in between
  ensure_ok(tagging, "GetObjectTagging");
  auto tree = parse_xml(tagging.body);
  if (auto tags = tree.get_child_optional("Tagging.TagSet")) {
    for (const auto& [name, tag] : *tags) {
      if (name == "Tag" &&
          tag.get<std::string>("Key", "") + "=" + tag.get<std::string>("Value", "") == kPendingTag)
        info.pending = true;
    }
  }
  return info;
}

void S3BlobStore::mark_attached(const std::string& key) {
  // An empty tag set (PutObjectTagging) rather than DeleteObjectTagging: every S3-API server has the former.
  std::string body =
      R"(<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet></TagSet></Tagging>)";
  auto response = send({"PUT",
                        object_path(key),
                        {{"tagging", ""}},
                        {{"content-type", "application/xml"}, {"content-md5", md5_base64(body)}},
                        body});
  ensure_ok(response, "PutObjectTagging");
}

void S3BlobStore::remove(const std::string& key) {
  auto response = send({"DELETE", object_path(key)});
  if (response.status == 404) return;
  ensure_ok(response, "DeleteObject");
}

std::vector<BlobInfo> S3BlobStore::list(const std::string& prefix) {
  std::vector<BlobInfo> out;
  std::string continuation;
  for (;;) {
    aws::QueryParams query{
        {"list-type", "2"}, {"prefix", prefix}, {"max-keys", std::to_string(options_.list_page_size)}};
    if (!continuation.empty()) query.emplace_back("continuation-token", continuation);
    auto response = send({"GET", bucket_path(), std::move(query)});
    ensure_ok(response, "ListObjectsV2");
    auto tree = parse_xml(response.body);
    const auto& result = tree.get_child("ListBucketResult", ptree::ptree());
    for (const auto& [name, entry] : result) {
      if (name != "Contents") continue;
      BlobInfo info;
      info.key = entry.get<std::string>("Key", "");
      info.size = entry.get<std::int64_t>("Size", 0);
      info.last_modified = parse_rfc3339(entry.get<std::string>("LastModified", "")).value_or(TimePoint{});
      out.push_back(std::move(info));
    }
    continuation = result.get<std::string>("NextContinuationToken", "");
    if (result.get<std::string>("IsTruncated", "false") != "true" || continuation.empty()) return out;
  }
}

void S3BlobStore::get_file(const std::string& key, const std::string& path) {
  auto response = send({"GET", object_path(key)});
  if (response.status == 404) throw BlobError("no such blob: " + key);
  ensure_ok(response, "GetObject");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(response.body.data(), static_cast<std::streamsize>(response.body.size()));
  if (!out.flush()) throw BlobError("cannot write " + path);
}

void S3BlobStore::put_file(const std::string& key, const std::string& content_type, const std::string& path) {
  auto response = send({"PUT", object_path(key), {}, {{"content-type", content_type}}, {}, path});
  ensure_ok(response, "PutObject");
}

void S3BlobStore::create_bucket_if_missing() {
  auto existing = send({"HEAD", bucket_path()});
  if (existing.status == 200) return;
  if (existing.status != 404) ensure_ok(existing, "HeadBucket");
  std::string body;
  if (options_.region != "us-east-1") {
    body =
        R"(<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>)" +
        options_.region + "</LocationConstraint></CreateBucketConfiguration>";
  }
  auto response = send({"PUT", bucket_path(), {}, {}, body});
  // Another process of ours may have created it since the HEAD.
  if (response.status == 409 && response.body.find("BucketAlreadyOwnedByYou") != std::string::npos) return;
  ensure_ok(response, "CreateBucket");
}

}  // namespace kefir::blob
