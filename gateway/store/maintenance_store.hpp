#pragma once
// Deleting what is past its use (CONTRACT §7): in small batches, each served by an index, so
// pruning never holds long locks or scans a table.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace oakgate::store {

struct PruneLimits {
  int64_t batch = 1000;                // rows per table per round
  int64_t login_failure_window = 900;  // seconds a failure counts (15 minutes)
  int64_t client_auth_failure_window = 3600;
  int64_t code_replay_margin = 3600;  // a used code is kept this long for replay detection
  int64_t decision_retention_days = 90;
  int64_t audit_retention_days = 365;
  // A dynamically registered client never issued a code is deleted this long after it
  // registered; registration attempts count for registration_window seconds.
  int64_t registered_client_unused_ttl = 86400;
  int64_t registration_window = 3600;
};

// (what, rows removed), in a fixed order.
using PruneCounts = std::vector<std::pair<std::string, int64_t>>;

class MaintenanceStore {
 public:
  virtual ~MaintenanceStore() = default;
  // Deletes at most limits.batch rows of each kind; returns what it removed.
  virtual PruneCounts PruneOnce(const PruneLimits& limits) = 0;
  // NOTIFY `channel` with `payload`, committed at once (cache invalidation markers).
  virtual void Notify(const std::string& channel, const std::string& payload) = 0;
};

}  // namespace oakgate::store
