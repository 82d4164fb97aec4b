#pragma once
// POST /v1/validate (CONTRACT §6): may this agent use this tool with this scope?
#include <chrono>
#include <cstdint>

#include "gateway/apikey/key_verifier.hpp"
#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"
#include "gateway/http/router.hpp"
#include "gateway/policy/decision_writer.hpp"
#include "gateway/policy/policy_cache.hpp"
#include "gateway/policy/shared_rate_limiter.hpp"
#include "gateway/store/database.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::handlers::validate {

struct ValidateContext {
  store::Database& db;
  apikey::KeyVerifier& keys;
  policy::SharedRateLimiter& limiter;
  policy::DecisionWriter& writer;
  const util::Clock& clock;
  // Monotonic milliseconds for the local leases of the token buckets (the shared buckets
  // themselves run on the database's clock).
  int64_t (*now_ms)();
  // Optional: tools and rules by (agent, tool, scope), kept fresh by the invalidation bus.
  policy::PolicyCache* policies = nullptr;
  // How long a request waits for its batch to commit before answering 503.
  std::chrono::milliseconds commit_timeout{10000};
};

// Runs on the worker pool: it reads PostgreSQL and waits for the group commit.
http::Response Validate(ValidateContext& ctx, http::Request& req);
// On the reactor thread: takes the request when everything it needs is in memory, and
// answers through `reply` (from the decision writer's thread) once its decision committed;
// false sends it to Validate on the pool.
bool ValidateAsync(ValidateContext& ctx, http::Request& req, http::Reply reply);

int64_t SteadyMillis();

}  // namespace oakgate::handlers::validate
