// Access-token verification throughput (SPEC §14: an RS256 check on every request, or the verified-token
// cache). Each thread verifies distinct valid tokens in a loop for a fixed time; the result is verifications
// per second in total and per thread. Compare the uncached figure with `openssl speed -seconds 3 rsa2048`
// (its verify/s).
//
//   kefir_bench_token_verify [--seconds 3] [--threads N] [--tokens 1000]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "auth/token_service.hpp"

namespace {

using namespace kefir;

struct Options {
  double seconds = 3;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::size_t tokens = 1000;
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seconds"))
      options.seconds = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads"))
      options.threads = static_cast<unsigned>(std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--tokens"))
      options.tokens = static_cast<std::size_t>(std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr, "usage: %s [--seconds S] [--threads N] [--tokens N]\n", argv[0]);
      std::exit(2);
    }
  }
  return options;
}

// Runs `verify` on `threads` threads for `seconds`; returns verifications per second (all threads).
template <typename Verify>
double measure(unsigned threads, double seconds, const std::vector<std::string>& tokens, Verify verify) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> total{0};
  std::atomic<std::uint64_t> failures{0};
  std::vector<std::thread> workers;
  auto started = std::chrono::steady_clock::now();
  for (unsigned t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      std::uint64_t count = 0;
      for (std::size_t i = t; !stop.load(std::memory_order_relaxed); i = (i + 1) % tokens.size(), ++count)
        if (!verify(tokens[i])) failures.fetch_add(1);
      total.fetch_add(count);
    });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& worker : workers) worker.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (failures.load() != 0) {
    std::fprintf(stderr, "%llu verifications failed\n", static_cast<unsigned long long>(failures.load()));
    std::exit(1);
  }
  return static_cast<double>(total.load()) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse(argc, argv);
  SystemClock clock;
  auth::TokenService tokens(auth::TokenService::generate_private_key_pem(), "https://bench.kefir.test",
                            "kefir-app", clock);
  std::vector<std::string> issued;
  for (std::size_t i = 0; i < options.tokens; ++i)
    issued.push_back(tokens.issue_access_token("user-" + std::to_string(i)));

  auto uncached = [&](const std::string& token) {
    return tokens.verify_access_token_uncached(token).has_value();
  };
  auto cached = [&](const std::string& token) { return tokens.verify_access_token(token).has_value(); };
  for (const auto& token : issued) cached(token);  // warm the cache: a client reuses its token for an hour

  std::printf("%-28s %8s %14s %14s\n", "mode", "threads", "verify/s", "verify/s/thread");
  for (unsigned threads : {1u, options.threads}) {
    for (auto [name, rate] :
         {std::pair{"RS256 uncached", measure(threads, options.seconds, issued, uncached)},
          std::pair{"verified-token cache", measure(threads, options.seconds, issued, cached)}})
      std::printf("%-28s %8u %14.0f %14.0f\n", name, threads, rate, rate / threads);
    if (options.threads == 1) break;
  }
  return 0;
}
