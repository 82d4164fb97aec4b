#pragma once
// POST /v1/validate (CONTRACT §6): may this agent use this tool with this scope? The handler
// reads the key and the body, asks policy::Validator, records the decision and renders.
#include <chrono>

#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"
#include "gateway/http/router.hpp"
#include "gateway/policy/approval_waiter.hpp"
#include "gateway/policy/decision_writer.hpp"
#include "gateway/policy/validator.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::handlers::validate {

struct ValidateContext {
  policy::Validator& validator;
  policy::DecisionWriter& writer;
  // Minutes of the rate-limited counts; approvals' expiry.
  const util::Clock& clock;
  // The agent's reads of its approvals (CONTRACT §10), and where their long polls park (null:
  // they answer at once, as `oakgate routes` wires it).
  store::ApprovalStore& approvals;
  policy::ApprovalWaiter* waiter = nullptr;
  cache::InvalidationBus* bus = nullptr;
  // How long a request waits for its batch to commit before answering 503.
  std::chrono::milliseconds commit_timeout{10000};
};

// Runs on the worker pool: it may read PostgreSQL, and waits for the group commit.
http::Response Validate(ValidateContext& ctx, http::Request& req);
// On the reactor thread: takes the request when the validator decides it from memory, and
// answers through `reply` (from the decision writer's thread) once its decision committed;
// false sends it to Validate on the pool.
bool ValidateAsync(ValidateContext& ctx, http::Request& req, http::Reply reply);

// GET /v1/approvals/{approval_id}?wait=N (CONTRACT §10), the agent's own approval by its API
// key: answered at once, or parked until it is decided, N seconds pass, or it expires.
std::optional<http::Response> GetAgentApproval(ValidateContext& ctx, http::Request& req,
                                               http::Reply reply);

}  // namespace oakgate::handlers::validate
