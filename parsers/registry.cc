#include "parsers/parser.h"

namespace homeo {

void ParserRegistry::add(ParserFactory factory) {
  for (auto& f : factories_) {
    if (f.name == factory.name) {
      f = std::move(factory);
      return;
    }
  }
  factories_.push_back(std::move(factory));
}

const ParserFactory* ParserRegistry::find(std::string_view name) const {
  for (const auto& f : factories_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::vector<std::string> ParserRegistry::names() const {
  std::vector<std::string> out;
  out.reserve(factories_.size());
  for (const auto& f : factories_) out.push_back(f.name);
  return out;
}

}  // namespace homeo
