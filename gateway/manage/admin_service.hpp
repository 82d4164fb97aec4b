#pragma once
// What administrators (users.is_admin, set by `oakgate user create --admin`) see and do from
// the dashboard: every user, disabling one, every OAuth client. Anyone else is refused with
// Forbidden, which the dashboard shows as the 404 of a page that does not exist.
#include <string_view>
#include <vector>

#include "gateway/manage/domain_error.hpp"
#include "gateway/manage/principal.hpp"
#include "gateway/store/client_store.hpp"
#include "gateway/store/user_store.hpp"

namespace oakgate::manage {

class AdminService {
 public:
  AdminService(store::UserStore& users, store::ClientStore& clients)
      : users_(users), clients_(clients) {}
  Outcome<std::vector<store::UserSummary>> Users(const Principal& who);
  // Disables the user, ends their sessions and revokes their grants and keys. Not found for
  // an unknown id; a conflict for the administrator's own account, so that they cannot lock
  // themselves out from the dashboard (`oakgate user disable` on the command line still can).
  Outcome<Done> DisableUser(const Principal& who, std::string_view user_id);
  Outcome<std::vector<store::Client>> Clients(const Principal& who);

 private:
  store::UserStore& users_;
  store::ClientStore& clients_;
};

}  // namespace oakgate::manage
