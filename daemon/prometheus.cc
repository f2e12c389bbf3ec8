#include "daemon/prometheus.h"

#include <cmath>
#include <cstdio>

namespace homeo {
namespace {

void appendEscaped(std::string& out, const std::string& v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
}

std::string formatDouble(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void PrometheusText::family(const std::string& name, const char* type, const char* help) {
  name_ = name;
  out_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void PrometheusText::writeName(const std::string& name, const Labels& labels) {
  out_ += name;
  if (!labels.empty()) {
    out_.push_back('{');
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i) out_.push_back(',');
      out_ += labels[i].first + "=\"";
      appendEscaped(out_, labels[i].second);
      out_.push_back('"');
    }
    out_.push_back('}');
  }
  out_.push_back(' ');
}

void PrometheusText::sample(const Labels& labels, uint64_t value) {
  writeName(name_, labels);
  out_ += std::to_string(value) + "\n";
}

void PrometheusText::sample(const Labels& labels, double value) {
  writeName(name_, labels);
  out_ += formatDouble(value) + "\n";
}

void PrometheusText::histogram(const std::string& name, const char* help, const Histogram& h) {
  family(name, "histogram", help);
  for (size_t i = 0; i < h.bounds().size(); ++i) {
    writeName(name + "_bucket", {{"le", formatDouble(h.bounds()[i])}});
    out_ += std::to_string(h.counts()[i]) + "\n";
  }
  writeName(name + "_bucket", {{"le", "+Inf"}});
  out_ += std::to_string(h.count()) + "\n";
  writeName(name + "_sum", {});
  out_ += formatDouble(h.sum()) + "\n";
  writeName(name + "_count", {});
  out_ += std::to_string(h.count()) + "\n";
}

}  // namespace homeo
