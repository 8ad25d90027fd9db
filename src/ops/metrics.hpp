#pragma once
// Prometheus metrics (SPEC §10): a small registry of counter, gauge and histogram families with labels, the
// text exposition format, and the service's own series behind named helpers (`ops::metrics().request(...)`).
//
// The request path hits this on every request, so a labelled series is found in a per-thread cache without a
// lock or an allocation once this thread has seen it (a shared lock on the family otherwise), and updated
// with relaxed atomics. Series are never removed: their addresses stay valid, and callers may keep a
// reference.
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kefir::ops {

class Counter {
 public:
  void inc(std::uint64_t amount = 1) { value_.fetch_add(amount, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void add(double amount) { value_.fetch_add(amount, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: the finite upper bounds, ascending; the family owns them and outlives the histogram.
  explicit Histogram(const std::vector<double>& bounds);
  void observe(double value);

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // one per finite bound, then +Inf
    double sum = 0;
  };
  Snapshot snapshot() const;

 private:
  const std::vector<double>& bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // non-cumulative; the last one is +Inf
  std::atomic<double> sum_{0};
};

// What every family shares: name, help, label names and the exposition of its series.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  virtual void expose(std::string& out) const = 0;

 protected:
  // The series key of these label values (joined by a separator that cannot occur in a label value we emit),
  // in a per-thread buffer valid until the next call on this thread. The buffer starts with this family's
  // process-unique id, which makes `cache_key` a key of the per-thread series cache; `key` is what follows.
  struct Keys {
    std::string_view cache_key;
    std::string_view key;
  };
  Keys key_of(std::initializer_list<std::string_view> values) const;
  // Series this thread has already looked up (cache key -> series), so the hot path takes no lock.
  static void*& thread_cached(std::string_view cache_key);
  // `{a="x",b="y"}` for a series key, with `extra` (e.g. le="0.5") appended; empty when there is no label.
  void append_labels(std::string& out, std::string_view key, std::string_view extra = {}) const;
  void append_header(std::string& out, std::string_view type) const;

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::uint64_t id_;
};

template <class Metric>
class Family : public FamilyBase {
 public:
  using FamilyBase::FamilyBase;

  // The series of these label values (one per label name, in order), created on first use.
  Metric& with(std::initializer_list<std::string_view> values);

 protected:
  virtual std::unique_ptr<Metric> make_series() const = 0;
  // Calls visit(key, metric) for every series, by key, under the lock.
  template <class Visit>
  void for_each_sorted(Visit visit) const;

 private:
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<Metric>, KeyHash, std::equal_to<>> series_;
};

class CounterFamily final : public Family<Counter> {
 public:
  using Family::Family;
  void expose(std::string& out) const override;

 private:
  std::unique_ptr<Counter> make_series() const override { return std::make_unique<Counter>(); }
};

class GaugeFamily final : public Family<Gauge> {
 public:
  using Family::Family;
  void expose(std::string& out) const override;

 private:
  std::unique_ptr<Gauge> make_series() const override { return std::make_unique<Gauge>(); }
};

class HistogramFamily final : public Family<Histogram> {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds);
  void expose(std::string& out) const override;

 private:
  std::unique_ptr<Histogram> make_series() const override { return std::make_unique<Histogram>(bounds_); }

  std::vector<double> bounds_;
};

class Registry {
 public:
  CounterFamily& counter(std::string name, std::string help, std::vector<std::string> label_names = {});
  GaugeFamily& gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  HistogramFamily& histogram(std::string name, std::string help, std::vector<std::string> label_names,
                             std::vector<double> bounds);
  // Runs before every exposition, for values read at scrape time (process memory...).
  void on_collect(std::function<void()> collector);

  // The Prometheus text format (version 0.0.4) of every family, in registration order.
  std::string expose() const;

 private:
  template <class F, class... Args>
  F& add(Args&&... args);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
  std::vector<std::function<void()>> collectors_;
};

inline constexpr std::string_view kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

// The service's series (SPEC §10). Labels are bounded: routes are templates, methods and codes are
// normalised.
class ServiceMetrics {
 public:
  ServiceMetrics();

  Registry& registry() { return registry_; }
  std::string expose() const { return registry_.expose(); }

  // One served request: `route` is the matched template ("unmatched" when none).
  void request(std::string_view method, std::string_view route, int status, double seconds);
  void request_throttled();

  void reminder_sent(std::uint64_t count = 1);
  void reminder_failed(
      std::string_view reason);  // "no_devices", "notifications_disabled", "attempts_exhausted"...
  void reminder_retried();
  // An Expo error: an HTTP status ("http_429", "http_503"), "network", or a ticket/receipt error code
  // ("DeviceNotRegistered", "MessageRateExceeded"...).
  void push_error(std::string_view code);
  // Web Push: a message a push service accepted, and one it did not, by code ("http_410", "network"...).
  void web_push_sent();
  void web_push_error(std::string_view code);

  // One call of the storage port ("get", "query"...) on `store` ("sqlite", "dynamodb").
  void storage_operation(std::string_view store, std::string_view operation, double seconds);
  // The storage service pushed back on a call (it is retried): DynamoDB's throttling.
  void storage_throttle(std::string_view store, std::string_view operation);

  // A list request that could use the kept pages (LIST_CACHE_MB): served from them, or built.
  void list_page(bool kept);

  void otp_email_sent(std::string_view transport);  // "smtp", "console"
  void otp_email_failed(std::string_view transport);

 private:
  Registry registry_;
  CounterFamily& requests_;
  HistogramFamily& request_duration_;
  CounterFamily& handler_errors_;
  CounterFamily& throttled_;
  CounterFamily& reminders_sent_;
  CounterFamily& reminders_failed_;
  CounterFamily& reminders_retried_;
  CounterFamily& push_errors_;
  CounterFamily& web_push_sent_;
  CounterFamily& web_push_errors_;
  HistogramFamily& storage_duration_;
  CounterFamily& storage_throttles_;
  CounterFamily& list_pages_;
  CounterFamily& otp_emails_sent_;
  CounterFamily& otp_emails_failed_;
};

// The process-wide instance.
ServiceMetrics& metrics();

}  // namespace kefir::ops
