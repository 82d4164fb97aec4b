#pragma once
// Protected resources (RFC 8707) and their introspectors.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/rows.hpp"

namespace oakgate::store {

class ResourceStore {
 public:
  virtual ~ResourceStore() = default;
  // The resource and its introspectors in one transaction; false when the URI is taken.
  virtual bool Create(const Resource& resource) = 0;
  virtual std::vector<Resource> List() = 0;
  // The known resources among `uris` (normalised), in no particular order.
  virtual std::vector<Resource> FindMany(const std::vector<std::string>& uris) = 0;
  // Deletes the resource and its introspector list; false when unknown. Tokens already bound
  // to it keep their audience.
  virtual bool Delete(std::string_view uri) = 0;
  // Every scope some resource offers (what dynamically registered clients may ask for).
  virtual std::vector<std::string> AllScopes() = 0;
};

}  // namespace oakgate::store
