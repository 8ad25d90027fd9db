#include "auth/token_service.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "util/crypto.hpp"
#include "util/ids.hpp"
#include "util/key_file.hpp"
#include "util/log.hpp"

namespace kefir::auth {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

constexpr std::size_t kMinKeyBits = 2048;
constexpr std::size_t kMaxTokenLength = 16 * 1024;

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// An encrypted key must fail to load instead of prompting on a terminal.
int refuse_passphrase(char*, int, int, void*) {
  return -1;
}

std::size_t count_private_key_blocks(std::string_view pem) {
  std::size_t count = 0;
  for (std::size_t at = pem.find("-----BEGIN "); at != std::string_view::npos;
       at = pem.find("-----BEGIN ", at + 1)) {
    auto line_end = pem.find("-----", at + 11);
    if (line_end == std::string_view::npos) break;
    auto label = pem.substr(at + 11, line_end - at - 11);
    if (label.size() >= 11 && label.substr(label.size() - 11) == "PRIVATE KEY") ++count;
  }
  return count;
}

std::vector<PkeyPtr> read_private_keys(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw std::runtime_error("BIO_new_mem_buf failed");
  std::vector<PkeyPtr> keys;
  while (EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, refuse_passphrase, nullptr))
    keys.emplace_back(key);
  ERR_clear_error();  // the loop ends on "no start line" at the end of the text
  std::size_t blocks = count_private_key_blocks(pem);
  if (keys.empty()) throw ConfigError("no PEM private key found");
  if (keys.size() != blocks)
    throw ConfigError("a PEM private key could not be read (encrypted keys are not supported)");
  return keys;
}

std::string bignum_param(const EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1)
    throw ConfigError("cannot read RSA key: " + openssl_error());
  BnPtr bn(raw);
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  return bytes;
}

// Whether the private key's CRT parameters agree with each other and with n: n = p*q, dP = d mod (p-1),
// dQ = d mod (q-1), qInv*q = 1 mod p. A few bignum operations, where OpenSSL's pairwise check costs ~25 ms of
// modular exponentiation. (OpenSSL silently falls back from a bad CRT result, so a signature test alone would
// accept such a key.) A key without CRT parameters has nothing here to disagree.
bool crt_parameters_consistent(const EVP_PKEY* key) {
  auto get = [key](const char* name) {
    BIGNUM* raw = nullptr;
    return EVP_PKEY_get_bn_param(key, name, &raw) == 1 ? BnPtr(raw) : BnPtr(nullptr);
  };
  BnPtr n = get(OSSL_PKEY_PARAM_RSA_N), d = get(OSSL_PKEY_PARAM_RSA_D), p = get(OSSL_PKEY_PARAM_RSA_FACTOR1),
        q = get(OSSL_PKEY_PARAM_RSA_FACTOR2), dp = get(OSSL_PKEY_PARAM_RSA_EXPONENT1),
        dq = get(OSSL_PKEY_PARAM_RSA_EXPONENT2), qinv = get(OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
  if (!p || !q || !dp || !dq || !qinv) return true;
  if (!n || !d) return false;
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), BN_CTX_free);
  BnPtr product(BN_new()), p1(BN_dup(p.get())), q1(BN_dup(q.get())), rest(BN_new());
  if (!ctx || !product || !p1 || !q1 || !rest) return false;
  if (BN_mul(product.get(), p.get(), q.get(), ctx.get()) != 1 || BN_cmp(product.get(), n.get()) != 0)
    return false;
  if (BN_sub_word(p1.get(), 1) != 1 || BN_mod(rest.get(), d.get(), p1.get(), ctx.get()) != 1 ||
      BN_cmp(rest.get(), dp.get()) != 0)
    return false;
  if (BN_sub_word(q1.get(), 1) != 1 || BN_mod(rest.get(), d.get(), q1.get(), ctx.get()) != 1 ||
      BN_cmp(rest.get(), dq.get()) != 0)
    return false;
  return BN_mod_mul(rest.get(), qinv.get(), q.get(), p.get(), ctx.get()) == 1 && BN_is_one(rest.get());
}

std::string der_private_key(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int length = i2d_PrivateKey(key, &der);
  if (length <= 0) throw ConfigError("cannot encode the signing key: " + openssl_error());
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_clear_free(der, static_cast<std::size_t>(length));
  return out;
}

PkeyPtr public_key_of(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(key, &der);
  if (length <= 0) throw ConfigError("cannot extract the public key: " + openssl_error());
  const unsigned char* cursor = der;
  PkeyPtr public_key(d2i_PUBKEY(nullptr, &cursor, length));
  OPENSSL_free(der);
  if (!public_key) throw ConfigError("cannot load the public key: " + openssl_error());
  return public_key;
}

// The parsed parts of a compact JWS; views into the token.
struct TokenParts {
  std::string_view header;
  std::string_view payload;
  std::string_view signature;
  std::string_view signing_input;  // header.payload
};

std::optional<TokenParts> split_token(std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenLength) return std::nullopt;
  auto first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return std::nullopt;
  TokenParts parts{token.substr(0, first), token.substr(first + 1, second - first - 1),
                   token.substr(second + 1), token.substr(0, second)};
  if (parts.header.empty() || parts.payload.empty() || parts.signature.empty()) return std::nullopt;
  return parts;
}

std::optional<json::object> decode_json_object(std::string_view segment) {
  std::string text;
  if (!crypto::base64url_decode(segment, text)) return std::nullopt;
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

// The cache's hash only picks a shard and a bucket; an entry matches only a byte-for-byte equal token. So the
// hash need not resist forgery, and a fast one replaces the SHA-256 that used to cost a cached request more
// than its routing, middleware and lookup together. It reads the token's last 32 bytes only, which are its
// signature's: hashing all ~700 bytes, twice a request, cost 1.5 % of a built list page. Tokens alike there
// are forgeries, refused before they are kept, so they cannot crowd one bucket.
struct TokenHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view token) const {
    constexpr std::size_t kTail = 32;
    return std::hash<std::string_view>{}(token.size() > kTail ? token.substr(token.size() - kTail) : token);
  }
};

struct CachedToken {
  VerifiedAccessToken token;
  std::int64_t mark_checked_at = 0;  // epoch seconds when the user's revocation mark was last read
  // Refused for good (marks only move forward), so that replaying a revoked token costs neither a signature
  // check nor a store read.
  bool revoked = false;
};

// Verified access tokens by the whole token. Sharded so concurrent requests rarely share a lock; bounded so a
// flood of distinct valid tokens cannot grow memory (only verified tokens are kept).
class VerifiedCache {
 public:
  explicit VerifiedCache(std::size_t capacity)
      : shard_capacity_(std::max<std::size_t>(1, capacity / kShards)) {}

  std::optional<CachedToken> find(std::string_view token, std::int64_t now) {
    auto& shard = shard_of(token);
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(token);
    if (it == shard.entries.end()) return std::nullopt;
    if (now >= it->second.token.expires_at + kClockLeeway.count()) {
      shard.entries.erase(it);
      return std::nullopt;
    }
    return it->second;
  }

  void insert(std::string_view token, const CachedToken& entry, std::int64_t now) {
    auto& shard = shard_of(token);
    std::lock_guard lock(shard.mutex);
    if (shard.entries.size() >= shard_capacity_) evict(shard, now);
    shard.entries.insert_or_assign(std::string(token), entry);
  }

  // A scan of every entry: revocations are rare, requests are not, so the lookup stays keyed by token only.
  void erase_issued_before(const std::string& user_id, std::int64_t epoch_ms) {
    for (auto& shard : shards_) {
      std::lock_guard lock(shard.mutex);
      std::erase_if(shard.entries, [&](const auto& entry) {
        return entry.second.token.user_id == user_id && entry.second.token.issued_at_ms < epoch_ms;
      });
    }
  }

 private:
  static constexpr std::size_t kShards = 16;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, CachedToken, TokenHash, std::equal_to<>> entries;
  };

  // The hash's high bits: the map's buckets use the low ones.
  Shard& shard_of(std::string_view token) { return shards_[(TokenHash{}(token) >> 56) % kShards]; }

  // Expired entries first; when none are, an arbitrary eighth of the shard, so eviction stays amortised O(1).
  void evict(Shard& shard, std::int64_t now) {
    std::erase_if(shard.entries, [now](const auto& entry) {
      return now >= entry.second.token.expires_at + kClockLeeway.count();
    });
    if (shard.entries.size() < shard_capacity_) return;
    std::size_t drop = std::max<std::size_t>(1, shard_capacity_ / 8);
    for (auto it = shard.entries.begin(); it != shard.entries.end() && drop > 0; --drop)
      it = shard.entries.erase(it);
  }

  std::size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
};

}  // namespace

struct TokenService::Impl {
  struct Key {
    PkeyPtr private_key;
    PkeyPtr public_key;
    PkeyCtxPtr verify_template;  // verify_init'ed with PKCS#1 v1.5 and SHA-256; duplicated per verification
    std::string kid;
    std::string n;               // base64url
    std::string e;               // base64url
    std::string encoded_header;  // base64url of the header our tokens carry, to recognise it without parsing
    std::size_t signature_size = 0;
  };

  Impl(const Clock& clock, std::size_t cache_capacity)
      : clock(clock), cache(cache_capacity), cache_enabled(cache_capacity > 0) {}

  const Clock& clock;
  std::string issuer;
  std::string client_id;
  std::vector<Key> keys;
  std::string master_secret;
  mutable VerifiedCache cache;
  bool cache_enabled;  // TOKEN_CACHE_SIZE=0: every request pays a signature check (and a mark read)
  TokensNotBefore tokens_not_before;  // set while wiring, before any request

  bool revoked(const VerifiedAccessToken& token) const {
    if (!tokens_not_before) return false;
    auto mark = tokens_not_before(token.user_id);
    return mark && token.issued_at_ms < *mark;
  }

  void add_key(PkeyPtr private_key) {
    if (!EVP_PKEY_is_a(private_key.get(), "RSA")) throw ConfigError("the signing key must be an RSA key");
    if (static_cast<std::size_t>(EVP_PKEY_get_bits(private_key.get())) < kMinKeyBits)
      throw ConfigError("the RSA signing key must have at least 2048 bits");
    Key key;
    key.n = crypto::base64url_encode(bignum_param(private_key.get(), OSSL_PKEY_PARAM_RSA_N));
    key.e = crypto::base64url_encode(bignum_param(private_key.get(), OSSL_PKEY_PARAM_RSA_E));
    // RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
    key.kid = crypto::base64url_encode(
        crypto::sha256(R"({"e":")" + key.e + R"(","kty":"RSA","n":")" + key.n + "\"}"));
    key.encoded_header =
        crypto::base64url_encode(R"({"alg":"RS256","kid":")" + key.kid + R"(","typ":"JWT"})");
    key.public_key = public_key_of(private_key.get());
    key.signature_size = static_cast<std::size_t>(EVP_PKEY_get_size(key.public_key.get()));
    key.verify_template.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, key.public_key.get(), nullptr));
    if (!key.verify_template || EVP_PKEY_verify_init(key.verify_template.get()) <= 0 ||
        EVP_PKEY_CTX_set_rsa_padding(key.verify_template.get(), RSA_PKCS1_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_signature_md(key.verify_template.get(), EVP_sha256()) <= 0)
      throw ConfigError("cannot prepare RSA verification: " + openssl_error());
    key.private_key = std::move(private_key);
    // A damaged key (n != p*q, d not the inverse of e...) would only show up as tokens nobody can verify. One
    // signature checked with the public half proves the halves match in well under a millisecond;
    // EVP_PKEY_pairwise_check took over half of the start-up time (about 25 ms) on its modular
    // exponentiations.
    constexpr std::string_view kProbe = "kefir signing key check";
    std::string probe_signature;
    try {
      probe_signature = sign(key, kProbe);
    } catch (const std::runtime_error& error) {
      throw ConfigError(std::string("the RSA signing key cannot sign: ") + error.what());
    }
    if (!crt_parameters_consistent(key.private_key.get()) || !signature_valid(key, kProbe, probe_signature))
      throw ConfigError(
          "the RSA signing key is inconsistent: its signatures do not verify with its public key");
    for (const auto& existing : keys)
      if (existing.kid == key.kid) return;  // the same key listed twice
    keys.push_back(std::move(key));
  }

  std::string sign(const Key& key, std::string_view data) const {
    MdCtxPtr md(EVP_MD_CTX_new());
    std::size_t length = 0;
    if (!md || EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key.private_key.get()) != 1 ||
        EVP_DigestSign(md.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) != 1)
      throw std::runtime_error("RS256 signing failed: " + openssl_error());
    std::string signature(length, '\0');
    if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
      throw std::runtime_error("RS256 signing failed: " + openssl_error());
    signature.resize(length);
    return signature;
  }

  bool signature_valid(const Key& key, std::string_view signing_input, std::string_view signature) const {
    if (signature.size() != key.signature_size) return false;
    auto digest = crypto::sha256_digest(signing_input);
    PkeyCtxPtr ctx(EVP_PKEY_CTX_dup(key.verify_template.get()));
    if (!ctx) return false;
    bool valid = EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                                 signature.size(), digest.data(), digest.size()) == 1;
    if (!valid) ERR_clear_error();
    return valid;
  }

  std::string issue(json::object claims) const {
    const Key& key = keys.front();
    std::string signing_input = key.encoded_header + "." + crypto::base64url_encode(json::serialize(claims));
    std::string signature = sign(key, signing_input);
    return signing_input + "." + crypto::base64url_encode(signature);
  }

  json::object base_claims(std::string_view user_id, std::string_view token_use) const {
    auto now_ms = epoch_millis(clock.now());
    auto now = now_ms / 1000;
    // iat_ms: revocation marks are milliseconds, so that a sign-in right after a "sign out everywhere", in
    // the same second, is not caught by it.
    return {{"iss", issuer},   {"sub", user_id},   {"token_use", token_use},
            {"iat", now},      {"iat_ms", now_ms}, {"exp", now + kTokenLifetime.count()},
            {"jti", uuid_v4()}};
  }

  // The key named by the header, when the header is one we accept: alg RS256, a kid of ours, no `crit`.
  const Key* key_for_header(std::string_view encoded_header) const {
    for (const auto& key : keys)
      if (encoded_header == key.encoded_header) return &key;
    auto header = decode_json_object(encoded_header);
    if (!header || header->contains("crit")) return nullptr;
    if (json_string(*header, "alg") != "RS256") return nullptr;
    auto kid = json_string(*header, "kid");
    for (const auto& key : keys)
      if (kid == key.kid) return &key;
    return nullptr;
  }

  std::optional<VerifiedAccessToken> verify(std::string_view token) const {
    auto parts = split_token(token);
    if (!parts) return std::nullopt;
    const Key* key = key_for_header(parts->header);
    if (!key) return std::nullopt;
    std::string signature;
    if (!crypto::base64url_decode(parts->signature, signature)) return std::nullopt;
    if (!signature_valid(*key, parts->signing_input, signature)) return std::nullopt;
    auto claims = decode_json_object(parts->payload);
    if (!claims) return std::nullopt;
    if (json_string(*claims, "iss") != issuer || json_string(*claims, "token_use") != "access" ||
        json_string(*claims, "client_id") != client_id)
      return std::nullopt;
    auto sub = json_string(*claims, "sub");
    auto exp = json_int(*claims, "exp");
    auto iat = json_int(*claims, "iat");
    if (sub.empty() || !exp || !iat) return std::nullopt;
    auto now = epoch_seconds(clock.now());
    if (now >= *exp + kClockLeeway.count() || *iat > now + kClockLeeway.count()) return std::nullopt;
    if (claims->contains("nbf")) {
      auto nbf = json_int(*claims, "nbf");
      if (!nbf || *nbf > now + kClockLeeway.count()) return std::nullopt;
    }
    auto iat_ms = json_int(*claims, "iat_ms");
    return VerifiedAccessToken{std::move(sub), *exp, iat_ms ? *iat_ms : *iat * 1000};
  }
};

TokenService::TokenService(std::string_view pem, std::string issuer, std::string client_id,
                           const Clock& clock, std::size_t cache_capacity)
    : impl_(std::make_unique<Impl>(clock, cache_capacity)) {
  impl_->issuer = std::move(issuer);
  impl_->client_id = std::move(client_id);
  for (auto& key : read_private_keys(pem)) impl_->add_key(std::move(key));
  impl_->master_secret = crypto::sha256(der_private_key(impl_->keys.front().private_key.get()));
}

TokenService::~TokenService() = default;

std::unique_ptr<TokenService> TokenService::from_config(const Config& config, const Clock& clock) {
  if (!config.jwt_private_key.empty() && !config.jwt_private_key_file.empty())
    throw ConfigError("JWT_PRIVATE_KEY and JWT_PRIVATE_KEY_FILE are both set; set only one");
  std::string source;
  std::string pem;
  if (!config.jwt_private_key.empty()) {
    source = "JWT_PRIVATE_KEY";
    pem = key_file::normalise_pem_text(config.jwt_private_key);
  } else if (!config.jwt_private_key_file.empty()) {
    source = "JWT_PRIVATE_KEY_FILE";
    try {
      pem = key_file::read_text(config.jwt_private_key_file);
    } catch (const ConfigError& error) {
      throw ConfigError(source + ": " + error.what());
    }
  } else if (config.prod()) {
    throw ConfigError("stage prod requires JWT_PRIVATE_KEY_FILE or JWT_PRIVATE_KEY");
  } else {
    source = (std::filesystem::path(config.data_dir) / kDevKeyFileName).string();
    try {
      pem = key_file::load_or_create_dev_key(config.data_dir, kDevKeyFileName, generate_private_key_pem,
                                             "signing key");
    } catch (const ConfigError& error) {
      throw ConfigError(source + ": " + error.what());
    }
  }
  try {
    return std::make_unique<TokenService>(pem, config.public_base_url, config.user_pool_client_id, clock,
                                          static_cast<std::size_t>(config.token_cache_size));
  } catch (const ConfigError& error) {
    throw ConfigError(source + ": " + error.what());
  }
}

std::string TokenService::generate_private_key_pem() {
  PkeyPtr key(EVP_RSA_gen(2048));
  if (!key) throw std::runtime_error("RSA key generation failed: " + openssl_error());
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw std::runtime_error("cannot encode the RSA key: " + openssl_error());
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

void TokenService::write_new_key_file(const std::string& path) {
  key_file::create_private(path, generate_private_key_pem());
}

std::string TokenService::issue_access_token(std::string_view user_id) const {
  auto claims = impl_->base_claims(user_id, "access");
  claims["client_id"] = impl_->client_id;
  return impl_->issue(std::move(claims));
}

std::string TokenService::issue_id_token(std::string_view user_id, std::string_view email,
                                         bool email_verified) const {
  auto claims = impl_->base_claims(user_id, "id");
  claims["aud"] = impl_->client_id;
  claims["email"] = email;
  claims["email_verified"] = email_verified;
  return impl_->issue(std::move(claims));
}

std::optional<VerifiedAccessToken> TokenService::verify_access_token(std::string_view token) const {
  if (token.empty() || token.size() > kMaxTokenLength) return std::nullopt;
  if (!impl_->cache_enabled) return verify_access_token_uncached(token);
  auto now = epoch_seconds(impl_->clock.now());
  auto cached = impl_->cache.find(token, now);
  if (cached && cached->revoked) return std::nullopt;
  if (cached && (!impl_->tokens_not_before || now - cached->mark_checked_at < kRevocationRecheck.count()))
    return cached->token;
  auto verified = cached ? std::optional(cached->token) : impl_->verify(token);
  if (!verified) return std::nullopt;
  bool revoked = impl_->revoked(*verified);
  impl_->cache.insert(token, {*verified, now, revoked}, now);
  if (revoked) return std::nullopt;
  return verified;
}

std::optional<VerifiedAccessToken> TokenService::verify_access_token_uncached(std::string_view token) const {
  auto verified = impl_->verify(token);
  if (!verified || impl_->revoked(*verified)) return std::nullopt;
  return verified;
}

void TokenService::set_tokens_not_before(TokensNotBefore source) {
  impl_->tokens_not_before = std::move(source);
}

void TokenService::revoke_tokens_before(const std::string& user_id, std::int64_t epoch_ms) {
  impl_->cache.erase_issued_before(user_id, epoch_ms);
}

json::object TokenService::jwks() const {
  json::array keys;
  for (const auto& key : impl_->keys)
    keys.push_back(json::object{
        {"kty", "RSA"}, {"use", "sig"}, {"alg", "RS256"}, {"kid", key.kid}, {"n", key.n}, {"e", key.e}});
  return {{"keys", std::move(keys)}};
}

const std::string& TokenService::signing_kid() const {
  return impl_->keys.front().kid;
}
const std::string& TokenService::issuer() const {
  return impl_->issuer;
}
const std::string& TokenService::client_id() const {
  return impl_->client_id;
}
std::string TokenService::master_secret() const {
  return impl_->master_secret;
}

}  // namespace kefir::auth
