#pragma once
// An organization's webhook endpoints (CONTRACT §11): every member sees them and their
// deliveries; owners and admins create, change, delete them and rotate their secrets. Another
// organization's endpoint is "not found". The signing secret ("whsec_...") is sealed with the
// SecretBox before it is stored (it must be used again to sign, so it cannot be a hash) and
// shown in plaintext only in the answer of Create and RotateSecret.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/crypto/random.hpp"
#include "gateway/crypto/secret_box.hpp"
#include "gateway/manage/domain_error.hpp"
#include "gateway/manage/principal.hpp"
#include "gateway/store/webhook_store.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::manage {

struct WebhookInput {
  std::optional<std::string> url;                  // required on create
  std::optional<std::vector<std::string>> events;  // required on create
  std::optional<std::string> description;          // "" when created without
  std::optional<bool> enabled;                     // update only
};

// An endpoint with its signing secret in plaintext: the one time the secret is shown.
struct WebhookWithSecret {
  store::WebhookEndpoint endpoint;
  std::string secret;
};

struct DeliveryPage {
  std::vector<store::WebhookDelivery> data;
  std::optional<std::string> next_cursor;
};

class WebhookService {
 public:
  static constexpr size_t kMaxEndpoints = 20;  // per organization
  static constexpr size_t kMaxDescription = 500;
  // The previous secret keeps signing this long after a rotation, so receivers can switch.
  static constexpr int64_t kRotationOverlapSeconds = 24 * 3600;
  static constexpr int64_t kMaxDeliveryPage = 200;

  // `allow_private`: webhook_allow_private (http and internal addresses, for tests).
  WebhookService(store::WebhookStore& store, const crypto::SecretBox& box, crypto::Random& random,
                 const util::Clock& clock, bool allow_private)
      : store_(store), box_(box), random_(random), clock_(clock), allow_private_(allow_private) {}

  Outcome<WebhookWithSecret> Create(const Principal& who, const WebhookInput& input);
  Outcome<std::vector<store::WebhookEndpoint>> List(const Principal& who);
  Outcome<store::WebhookEndpoint> Get(const Principal& who, std::string_view id);
  Outcome<store::WebhookEndpoint> Update(const Principal& who, std::string_view id,
                                         const WebhookInput& input);
  Outcome<Done> Delete(const Principal& who, std::string_view id);
  Outcome<WebhookWithSecret> RotateSecret(const Principal& who, std::string_view id);
  // Newest first; `cursor` is a next_cursor answered before; `limit` 1..200.
  Outcome<DeliveryPage> Deliveries(const Principal& who, std::string_view id,
                                   const std::optional<std::string>& cursor, int64_t limit);
  // Makes a delivery pending again, due now.
  Outcome<store::WebhookDelivery> RetryDelivery(const Principal& who, std::string_view id,
                                                std::string_view delivery_id);

 private:
  // The endpoint of the caller's organization that the caller may change, or the error.
  Outcome<store::WebhookEndpoint> Writable(const Principal& who, std::string_view id);
  // A new secret, and its sealed form for the store.
  std::pair<std::string, std::string> NewSecret();

  store::WebhookStore& store_;
  const crypto::SecretBox& box_;
  crypto::Random& random_;
  const util::Clock& clock_;
  bool allow_private_;
};

}  // namespace oakgate::manage
