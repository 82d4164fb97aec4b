#pragma once
// Consent remembered per user and client: the scope set the user approved.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oakgate::store {

class ConsentStore {
 public:
  virtual ~ConsentStore() = default;
  virtual std::optional<std::vector<std::string>> Find(std::string_view user_id,
                                                       std::string_view client_id) = 0;
  // Replaces the remembered scope set.
  virtual void Save(std::string_view user_id, std::string_view client_id,
                    const std::vector<std::string>& scopes) = 0;
};

}  // namespace oakgate::store
