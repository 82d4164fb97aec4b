#pragma once
// The token buckets of /v1/validate, shared by every gateway instance on one database.
#include <cstdint>
#include <string_view>

namespace oakgate::store {

struct Lease {
  int64_t granted = 0;  // whole tokens taken from the shared bucket, at most the chunk asked
  int64_t units = 0;    // what the shared bucket holds after the lease (tokens x 60000)
};

class RateBucketStore {
 public:
  virtual ~RateBucketStore() = default;
  // One atomic statement: refills the agent's bucket by the database's clock (`rate` units a
  // millisecond, at most `burst` tokens; a new bucket starts full) and takes up to `chunk`
  // whole tokens from it. Throws util::ServiceUnavailable when the database cannot answer.
  virtual Lease TakeChunk(std::string_view agent_id, int64_t rate_per_minute, int64_t burst,
                          int64_t chunk) = 0;
};

}  // namespace oakgate::store
