#include "util/web_push_crypto.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <boost/url/parse.hpp>
#include <stdexcept>

#include "util/crypto.hpp"
#include "util/json.hpp"

namespace kefir::webpush {
namespace {

constexpr std::string_view kCurve = "prime256v1";
constexpr std::size_t kScalarSize = 32;
constexpr std::size_t kTagSize = 16;
constexpr std::size_t kKeySize = 16;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kHeaderSize = kSaltSize + 4 + 1 + kPublicPointSize;
constexpr unsigned char kLastRecordDelimiter = 0x02;

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using GroupPtr = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP, EC_GROUP_free>>;
using PointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT, EC_POINT_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}
unsigned char* bytes(std::string& text) {
  return reinterpret_cast<unsigned char*>(text.data());
}

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("web push crypto: ") + what);
}

GroupPtr p256_group() {
  GroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  require(group != nullptr, "no P-256 group");
  return group;
}

// An EVP_PKEY from the curve name, the public point and, for a private key, the scalar.
EVP_PKEY* key_from_data(std::string_view point, const BIGNUM* scalar) {
  ParamBldPtr build(OSSL_PARAM_BLD_new());
  require(build &&
              OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, kCurve.data(), 0) &&
              OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                               point.size()) &&
              (!scalar || OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_PRIV_KEY, scalar)),
          "building key parameters");
  ParamsPtr params(OSSL_PARAM_BLD_to_param(build.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  require(params && ctx && EVP_PKEY_fromdata_init(ctx.get()) > 0 &&
              EVP_PKEY_fromdata(ctx.get(), &key, scalar ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                                params.get()) > 0,
          "importing a P-256 key");
  return key;
}

std::string ecdh(const P256Key& mine, const P256Key& peer) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, mine.get(), nullptr));
  std::size_t length = 0;
  require(ctx && EVP_PKEY_derive_init(ctx.get()) > 0 && EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) > 0 &&
              EVP_PKEY_derive(ctx.get(), nullptr, &length) > 0,
          "ECDH");
  std::string secret(length, '\0');
  require(EVP_PKEY_derive(ctx.get(), bytes(secret), &length) > 0, "ECDH");
  secret.resize(length);
  return secret;
}

struct ContentKeys {
  std::string key;    // CEK, 16 bytes
  std::string nonce;  // 12 bytes, the only record's
};

// RFC 8291 §3.4 then RFC 8188 §2.2-2.3.
ContentKeys derive_content_keys(std::string_view shared_secret, std::string_view auth_secret,
                                std::string_view ua_public, std::string_view as_public,
                                std::string_view salt) {
  std::string key_info = std::string("WebPush: info") + '\0';
  key_info.append(ua_public).append(as_public);
  const auto ikm = crypto::hkdf_sha256(shared_secret, auth_secret, key_info, 32);
  return {crypto::hkdf_sha256(ikm, salt, std::string("Content-Encoding: aes128gcm") + '\0', kKeySize),
          crypto::hkdf_sha256(ikm, salt, std::string("Content-Encoding: nonce") + '\0', kNonceSize)};
}

std::string header(std::string_view salt, std::string_view keyid) {
  std::string out(salt);
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((kRecordSize >> shift) & 0xff));
  out.push_back(static_cast<char>(keyid.size()));
  out.append(keyid);
  return out;
}

std::string base64url_json(const json::object& object) {
  return crypto::base64url_encode(json::serialize(object));
}

}  // namespace

P256Key P256Key::generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", kCurve.data());
  require(key != nullptr, "P-256 key generation");
  return P256Key(key);
}

P256Key P256Key::from_private_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!key) throw std::invalid_argument("not a PEM private key");
  P256Key result(key);
  char group[64] = {};
  std::size_t length = 0;
  if (!EVP_PKEY_is_a(key, "EC") || EVP_PKEY_get_group_name(key, group, sizeof group, &length) != 1 ||
      std::string_view(group, length) != kCurve)
    throw std::invalid_argument("not a P-256 (prime256v1) EC private key");
  return result;
}

P256Key P256Key::from_private_scalar(std::string_view scalar) {
  if (scalar.size() != kScalarSize) throw std::invalid_argument("a P-256 private key has 32 bytes");
  BnPtr d(BN_bin2bn(bytes(scalar), static_cast<int>(scalar.size()), nullptr));
  auto group = p256_group();
  PointPtr point(EC_POINT_new(group.get()));
  require(d && point && EC_POINT_mul(group.get(), point.get(), d.get(), nullptr, nullptr, nullptr) == 1,
          "public point");
  std::string encoded(kPublicPointSize, '\0');
  require(EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, bytes(encoded),
                             encoded.size(), nullptr) == kPublicPointSize,
          "encoding the public point");
  return P256Key(key_from_data(encoded, d.get()));
}

P256Key P256Key::from_public_point(std::string_view point) {
  if (!is_p256_point(point)) throw std::invalid_argument("not an uncompressed P-256 point");
  return P256Key(key_from_data(point, nullptr));
}

std::string P256Key::public_point() const {
  std::string point(kPublicPointSize, '\0');
  std::size_t length = 0;
  require(EVP_PKEY_get_octet_string_param(key_.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, bytes(point),
                                          point.size(), &length) == 1 &&
              length == kPublicPointSize,
          "reading the public point");
  return point;
}

std::string P256Key::private_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  require(bio && PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "encoding the private key");
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

bool is_p256_point(std::string_view point) {
  if (point.size() != kPublicPointSize || point[0] != 0x04) return false;
  auto group = p256_group();
  PointPtr decoded(EC_POINT_new(group.get()));
  return decoded &&
         EC_POINT_oct2point(group.get(), decoded.get(), bytes(point), point.size(), nullptr) == 1 &&
         EC_POINT_is_on_curve(group.get(), decoded.get(), nullptr) == 1;
}

std::string encrypt(std::string_view plaintext, std::string_view ua_public, std::string_view auth_secret,
                    const P256Key& ephemeral, std::string_view salt) {
  if (auth_secret.size() != kAuthSecretSize) throw std::invalid_argument("the auth secret has 16 bytes");
  if (salt.size() != kSaltSize) throw std::invalid_argument("the salt has 16 bytes");
  if (plaintext.size() > kMaxPlaintext) throw std::invalid_argument("the message does not fit one record");
  const auto peer = P256Key::from_public_point(ua_public);
  const auto as_public = ephemeral.public_point();
  const auto keys = derive_content_keys(ecdh(ephemeral, peer), auth_secret, ua_public, as_public, salt);

  std::string record(plaintext);
  record.push_back(static_cast<char>(kLastRecordDelimiter));
  std::string body = header(salt, as_public);
  const auto at = body.size();
  body.resize(at + record.size() + kTagSize);
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  int final_length = 0;
  require(ctx &&
              EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, bytes(keys.key), bytes(keys.nonce)) ==
                  1 &&
              EVP_EncryptUpdate(ctx.get(), bytes(body) + at, &length, bytes(record),
                                static_cast<int>(record.size())) == 1 &&
              EVP_EncryptFinal_ex(ctx.get(), bytes(body) + at + length, &final_length) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                                  bytes(body) + at + record.size()) == 1,
          "AES-128-GCM");
  return body;
}

std::string encrypt(std::string_view plaintext, std::string_view ua_public, std::string_view auth_secret) {
  return encrypt(plaintext, ua_public, auth_secret, P256Key::generate(), crypto::random_bytes(kSaltSize));
}

std::optional<std::string> decrypt(std::string_view body, const P256Key& ua_key,
                                   std::string_view auth_secret) {
  if (body.size() < kHeaderSize + kTagSize + 1 || auth_secret.size() != kAuthSecretSize) return std::nullopt;
  const auto salt = body.substr(0, kSaltSize);
  const auto keyid_size = static_cast<unsigned char>(body[kSaltSize + 4]);
  if (keyid_size != kPublicPointSize) return std::nullopt;
  const auto as_public = body.substr(kSaltSize + 5, kPublicPointSize);
  if (!is_p256_point(as_public)) return std::nullopt;
  const auto ua_public = ua_key.public_point();
  const auto keys = derive_content_keys(ecdh(ua_key, P256Key::from_public_point(as_public)), auth_secret,
                                        ua_public, as_public, salt);

  const auto ciphertext = body.substr(kHeaderSize, body.size() - kHeaderSize - kTagSize);
  std::string tag(body.substr(body.size() - kTagSize));
  std::string record(ciphertext.size(), '\0');
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  int final_length = 0;
  const bool ok =
      ctx &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, bytes(keys.key), bytes(keys.nonce)) == 1 &&
      EVP_DecryptUpdate(ctx.get(), bytes(record), &length, bytes(ciphertext),
                        static_cast<int>(ciphertext.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), bytes(record) + length, &final_length) == 1;
  if (!ok) return std::nullopt;
  // Padding is zeros after the delimiter; the only record is the last, so its delimiter is 0x02.
  const auto end = record.find_last_not_of('\0');
  if (end == std::string::npos || static_cast<unsigned char>(record[end]) != kLastRecordDelimiter)
    return std::nullopt;
  record.resize(end);
  return record;
}

std::string es256_sign(const P256Key& key, std::string_view input) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  require(ctx && EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
              EVP_DigestSign(ctx.get(), nullptr, &length, bytes(input), input.size()) == 1,
          "ES256 signing");
  std::string der(length, '\0');
  require(EVP_DigestSign(ctx.get(), bytes(der), &length, bytes(input), input.size()) == 1, "ES256 signing");
  const unsigned char* cursor = bytes(std::string_view(der));
  SigPtr signature(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(length)));
  require(signature != nullptr, "decoding the DER signature");
  std::string raw(2 * kScalarSize, '\0');
  require(BN_bn2binpad(ECDSA_SIG_get0_r(signature.get()), bytes(raw), kScalarSize) == kScalarSize &&
              BN_bn2binpad(ECDSA_SIG_get0_s(signature.get()), bytes(raw) + kScalarSize, kScalarSize) ==
                  kScalarSize,
          "encoding r||s");
  return raw;
}

bool es256_verify(const P256Key& key, std::string_view input, std::string_view signature) {
  if (signature.size() != 2 * kScalarSize) return false;
  SigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes(signature), kScalarSize, nullptr);
  BIGNUM* s = BN_bin2bn(bytes(signature) + kScalarSize, kScalarSize, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  unsigned char* der = nullptr;
  const int der_length = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_length <= 0) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool valid =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), der, static_cast<std::size_t>(der_length), bytes(input), input.size()) == 1;
  OPENSSL_free(der);
  return valid;
}

std::string vapid_jwt(const P256Key& key, std::string_view audience, std::int64_t expires_at,
                      std::string_view subject) {
  const auto signing_input = base64url_json({{"typ", "JWT"}, {"alg", "ES256"}}) + "." +
                             base64url_json({{"aud", audience}, {"exp", expires_at}, {"sub", subject}});
  return signing_input + "." + crypto::base64url_encode(es256_sign(key, signing_input));
}

std::string endpoint_origin(std::string_view endpoint) {
  auto parsed = boost::urls::parse_absolute_uri(endpoint);
  if (!parsed) return {};
  const auto scheme = parsed->scheme_id();
  if ((scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) ||
      parsed->encoded_host().empty())
    return {};
  std::string origin = scheme == boost::urls::scheme::https ? "https://" : "http://";
  origin += std::string(parsed->encoded_host());
  const bool default_port = parsed->port_number() == (scheme == boost::urls::scheme::https ? 443 : 80);
  if (parsed->has_port() && !parsed->port().empty() && !default_port)
    origin += ":" + std::string(parsed->port());
  return origin;
}

}  // namespace kefir::webpush
