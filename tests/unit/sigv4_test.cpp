// Our SigV4 signer against AWS's published known-answer vectors: the Signature Version 4 test suite
// (credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z, us-east-1, service "service"), the signing-key example of
// the IAM documentation, and the S3 documentation's worked examples (examplebucket, 2013-05-24), including
// the presigned URL. Local engines do not check signatures strictly, so these vectors are what proves them
// right.
#include <gtest/gtest.h>

#include "adapters/aws/sigv4.hpp"
#include "util/crypto.hpp"

namespace kefir::aws {
namespace {

TimePoint at(std::string_view rfc3339) {
  return *parse_rfc3339(rfc3339);
}

const TimePoint kSuiteTime = at("2015-08-30T12:36:00Z");
const Signer kSuite({"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""}, "us-east-1", "service");
const std::string kEmptyHash = crypto::sha256_hex("");

// A request of the suite: example.amazonaws.com, X-Amz-Date as in its .req files.
SignableRequest suite_request(std::string method, std::string path = "/", QueryParams query = {},
                              http::Headers headers = {}, std::string_view body = {}) {
  headers.emplace_back("X-Amz-Date", "20150830T123600Z");
  return {std::move(method), "example.amazonaws.com", std::move(path),
          std::move(query),  std::move(headers),      crypto::sha256_hex(body)};
}

TEST(SigV4, GetVanillaMatchesEveryPublishedStep) {
  auto signature = kSuite.sign(suite_request("GET"), kSuiteTime);
  EXPECT_EQ(signature.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(signature.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(signature.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, SuiteVectors) {
  struct Vector {
    const char* name;
    SignableRequest request;
    const char* signature;
  };
  const std::string unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const std::vector<Vector> vectors = {
      {"get-vanilla-query", suite_request("GET", "/", {}),
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-vanilla-query-order-key-case",
       suite_request("GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}}),
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"get-vanilla-query-unreserved", suite_request("GET", "/", {{unreserved, unreserved}}),
       "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
      {"get-vanilla-utf8-query", suite_request("GET", "/", {{"\xE1\x88\xB4", "bar"}}),
       "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
      {"get-unreserved", suite_request("GET", "/" + unreserved),
       "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
      {"get-utf8", suite_request("GET", "/\xE1\x88\xB4"),
       "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
      {"get-header-value-trim",
       suite_request("GET", "/", {}, {{"My-Header1", " value1"}, {"My-Header2", "\"a   b   c\""}}),
       "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
      {"get-header-key-duplicate",
       suite_request("GET", "/", {},
                     {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}}),
       "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
      {"get-header-value-order",
       suite_request("GET", "/", {},
                     {{"My-Header1", "value4"},
                      {"My-Header1", "value1"},
                      {"My-Header1", "value3"},
                      {"My-Header1", "value2"}}),
       "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
      {"post-vanilla", suite_request("POST"),
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"post-vanilla-query", suite_request("POST", "/", {{"Param1", "value1"}}),
       "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
      {"post-header-key-sort", suite_request("POST", "/", {}, {{"My-Header1", "value1"}}),
       "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
      {"post-header-value-case", suite_request("POST", "/", {}, {{"My-Header1", "VALUE1"}}),
       "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
      {"post-x-www-form-urlencoded",
       suite_request("POST", "/", {}, {{"Content-Type", "application/x-www-form-urlencoded"}},
                     "Param1=value1"),
       "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
      {"post-x-www-form-urlencoded-parameters",
       suite_request("POST", "/", {}, {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}},
                     "Param1=value1"),
       "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"},
  };
  for (const auto& vector : vectors) {
    EXPECT_EQ(kSuite.sign(vector.request, kSuiteTime).signature, vector.signature) << vector.name;
  }
}

TEST(SigV4, HeaderSigningProducesTheAuthorizationHeader) {
  SignableRequest request{"GET", "example.amazonaws.com", "/", {}, {}, kEmptyHash};
  auto headers = kSuite.sign_headers(request, kSuiteTime);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0], (std::pair<std::string, std::string>{"x-amz-date", "20150830T123600Z"}));
  EXPECT_EQ(headers[1].first, "authorization");
  EXPECT_EQ(headers[1].second,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

// post-sts-header-before: temporary credentials sign X-Amz-Security-Token as a header.
TEST(SigV4, SessionTokenIsSignedAsAHeader) {
  const std::string token =
      "AQoDYXdzEPT//////////"
      "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8Y"
      "UuwthAx7mSEI/qkPpKPi/"
      "kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE"
      "8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+"
      "scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2"
      "ICCR/oLxBA==";
  Signer signer({"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token}, "us-east-1", "service");
  SignableRequest request{"POST", "example.amazonaws.com", "/", {}, {}, kEmptyHash};
  auto headers = signer.sign_headers(request, kSuiteTime);
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[1], (std::pair<std::string, std::string>{"x-amz-security-token", token}));
  EXPECT_EQ(headers[2].second,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date;x-amz-security-token, "
            "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead");
}

TEST(SigV4, SigningKeyDerivationMatchesTheIamExample) {
  EXPECT_EQ(crypto::hex_encode(
                signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

// The S3 documentation's examples: examplebucket, AKIAIOSFODNN7EXAMPLE, 2013-05-24T00:00:00Z, us-east-1.
const TimePoint kS3Time = at("2013-05-24T00:00:00Z");
const Signer kS3({"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""}, "us-east-1", "s3");
constexpr const char* kS3Host = "examplebucket.s3.amazonaws.com";

std::string signature_of(const http::Headers& headers) {
  for (const auto& [name, value] : headers)
    if (name == "authorization") return value.substr(value.find("Signature=") + 10);
  return {};
}

TEST(SigV4, S3HeaderSignedExamples) {
  SignableRequest get_object{"GET", kS3Host, "/test.txt", {}, {{"Range", "bytes=0-9"}}, kEmptyHash};
  get_object.headers.emplace_back("x-amz-content-sha256", kEmptyHash);
  EXPECT_EQ(signature_of(kS3.sign_headers(get_object, kS3Time)),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");

  // The key "test$file.text" is encoded in the canonical URI (and the URL) as "/test%24file.text".
  EXPECT_EQ(canonical_path("/test$file.text"), "/test%24file.text");
  auto body_hash = crypto::sha256_hex("Welcome to Amazon S3.");
  SignableRequest put_object{"PUT",
                             kS3Host,
                             "/test$file.text",
                             {},
                             {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                              {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                              {"x-amz-content-sha256", body_hash}},
                             body_hash};
  EXPECT_EQ(signature_of(kS3.sign_headers(put_object, kS3Time)),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");

  SignableRequest lifecycle{
      "GET", kS3Host, "/", {{"lifecycle", ""}}, {{"x-amz-content-sha256", kEmptyHash}}, kEmptyHash};
  EXPECT_EQ(signature_of(kS3.sign_headers(lifecycle, kS3Time)),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");

  SignableRequest list{
      "GET",     kS3Host, "/", {{"prefix", "J"}, {"max-keys", "2"}}, {{"x-amz-content-sha256", kEmptyHash}},
      kEmptyHash};
  EXPECT_EQ(signature_of(kS3.sign_headers(list, kS3Time)),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, S3PresignedUrlExample) {
  SignableRequest request{"GET", kS3Host, "/test.txt", {}, {}, ""};
  EXPECT_EQ(kS3.presign_query(request, kS3Time, std::chrono::seconds(86400)),
            "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

// The presigned upload signs its headers and, with temporary credentials, the token as a query parameter.
TEST(SigV4, PresignedUploadSignsItsHeadersAndToken) {
  Signer signer({"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "to/ken+"}, "us-east-1",
                "s3");
  SignableRequest request{"PUT",
                          kS3Host,
                          "/users/u1/p.jpg",
                          {},
                          {{"Content-Type", "image/jpeg"}, {"x-amz-tagging", "kefir=pending"}},
                          ""};
  auto query = signer.presign_query(request, kS3Time, std::chrono::seconds(300));
  EXPECT_NE(query.find("&X-Amz-Security-Token=to%2Fken%2B&"), std::string::npos) << query;
  EXPECT_NE(query.find("&X-Amz-SignedHeaders=content-type%3Bhost%3Bx-amz-tagging&"), std::string::npos)
      << query;
  // The same request with another content type must not carry the same signature.
  auto other = request;
  other.headers[0].second = "image/png";
  EXPECT_NE(signer.presign_query(other, kS3Time, std::chrono::seconds(300)), query);
}

TEST(SigV4, UriEncodingKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(uri_encode("a b/c+d=e~f", true), "a%20b%2Fc%2Bd%3De~f");
  EXPECT_EQ(uri_encode("a b/c", false), "a%20b/c");
  EXPECT_EQ(canonical_path(""), "/");
  EXPECT_EQ(canonical_query({{"b", "2"}, {"a", ""}, {"a", "1"}}), "a=&a=1&b=2");
}

}  // namespace
}  // namespace kefir::aws
