#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace homeo {

// A cumulative histogram (Prometheus semantics: each bucket counts observations <= its bound).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds)
      : bounds_(std::move(bounds)), counts_(bounds_.size(), 0) {}
  void observe(double v) {
    for (size_t i = 0; i < bounds_.size(); ++i) {
      if (v <= bounds_[i]) ++counts_[i];
    }
    ++count_;
    sum_ += v;
  }
  const std::vector<double>& bounds() const { return bounds_; }
  const std::vector<uint64_t>& counts() const { return counts_; }
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  double sum_ = 0;
};

// Writes the Prometheus text exposition format (version 0.0.4).
class PrometheusText {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  // Starts a metric family: # HELP and # TYPE lines; samples that follow belong to it.
  void family(const std::string& name, const char* type, const char* help);
  void sample(const Labels& labels, uint64_t value);
  void sample(const Labels& labels, double value);
  void histogram(const std::string& name, const char* help, const Histogram& h);
  std::string take() { return std::move(out_); }

 private:
  void writeName(const std::string& name, const Labels& labels);
  std::string name_;
  std::string out_;
};

}  // namespace homeo
