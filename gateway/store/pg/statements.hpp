#pragma once
// Every SQL statement the gateway runs, as named constants, prepared when a connection opens.
// Arrays travel as space-separated text (scopes, grant types and URIs contain no spaces).

namespace oakgate::store::pg::sql {

struct Statement {
  const char* name;
  const char* text;
};

inline constexpr Statement kUserByEmail{
    "user_by_email",
    "SELECT id::text, email, password_hash, is_admin, disabled_at IS NOT NULL AS disabled"
    " FROM users WHERE email_normalized = $1"};
inline constexpr Statement kUserCreate{
    "user_create",
    "INSERT INTO users (email, email_normalized, password_hash, is_admin)"
    " VALUES ($1, $2, $3, $4) ON CONFLICT (email_normalized) DO NOTHING"
    " RETURNING id::text"};
inline constexpr Statement kUserSetPassword{
    "user_set_password",
    "UPDATE users SET password_hash = $2, updated_at = now() WHERE email_normalized = $1"
    " RETURNING id::text"};
inline constexpr Statement kUserDisable{
    "user_disable",
    "UPDATE users SET disabled_at = coalesce(disabled_at, now()), updated_at = now()"
    " WHERE email_normalized = $1 RETURNING id::text"};
inline constexpr Statement kSessionsEndForUser{
    "sessions_end_for_user",
    "UPDATE sessions SET ended_at = now(), idle_expires_at = least(idle_expires_at, now())"
    " WHERE user_id = $1::uuid AND ended_at IS NULL"};

#define OAKGATE_CLIENT_COLUMNS                                                                 \
  "id, name, secret_hash, previous_secret_hash,"                                               \
  " extract(epoch FROM previous_secret_expires_at)::bigint AS previous_expires,"               \
  " is_confidential, is_first_party, can_introspect, is_registered, requires_resource,"        \
  " array_to_string(redirect_uris, ' ') AS redirect_uris,"                                     \
  " array_to_string(scopes, ' ') AS scopes, array_to_string(grant_types, ' ') AS grant_types," \
  " extract(epoch FROM created_at)::bigint AS created"
// The client-authentication path: one primary-key lookup.
inline constexpr Statement kClientFind{
    "client_find", "SELECT " OAKGATE_CLIENT_COLUMNS " FROM clients WHERE id = $1"};
inline constexpr Statement kClientList{
    "client_list", "SELECT " OAKGATE_CLIENT_COLUMNS " FROM clients ORDER BY id"};
#undef OAKGATE_CLIENT_COLUMNS
inline constexpr Statement kClientCreate{
    "client_create",
    "INSERT INTO clients (id, name, secret_hash, is_confidential, is_first_party, can_introspect,"
    " redirect_uris, scopes, grant_types, is_registered, requires_resource)"
    " VALUES ($1, $2, $3, $4, $5, $6,"
    " coalesce(string_to_array(nullif($7, ''), ' '), '{}'),"
    " coalesce(string_to_array(nullif($8, ''), ' '), '{}'),"
    " coalesce(string_to_array(nullif($9, ''), ' '), '{}'), $10, $11)"
    " ON CONFLICT (id) DO NOTHING RETURNING id"};
// A registered client counts as used once it is issued a code (pruning of unused ones).
inline constexpr Statement kClientMarkUsed{
    "client_mark_used",
    "UPDATE clients SET last_used_at = now() WHERE id = $1 AND last_used_at IS NULL"};
inline constexpr Statement kClientUpdate{
    "client_update",
    "UPDATE clients SET name = $2, is_first_party = $3, can_introspect = $4,"
    " redirect_uris = coalesce(string_to_array(nullif($5, ''), ' '), '{}'),"
    " scopes = coalesce(string_to_array(nullif($6, ''), ' '), '{}'),"
    " grant_types = coalesce(string_to_array(nullif($7, ''), ' '), '{}'),"
    " requires_resource = $8, updated_at = now() WHERE id = $1"};
inline constexpr Statement kClientDelete{"client_delete", "DELETE FROM clients WHERE id = $1"};
inline constexpr Statement kClientRotateSecret{
    "client_rotate_secret",
    "UPDATE clients SET previous_secret_hash = secret_hash,"
    " previous_secret_expires_at = now() + make_interval(secs => $3::bigint),"
    " secret_hash = $2, updated_at = now() WHERE id = $1 AND is_confidential"};

inline constexpr Statement kSessionCreate{
    "session_create",
    "INSERT INTO sessions (token_hash, user_id, expires_at, idle_expires_at, client_address,"
    " user_agent) VALUES ($1, $2::uuid, now() + make_interval(secs => $3::bigint),"
    " least(now() + make_interval(secs => $3::bigint), now() + make_interval(secs => $4::bigint)),"
    " $5, $6)"};
// Touching in the same statement as the lookup: one round trip, and an idle session can never
// be revived by a request that raced its expiry.
inline constexpr Statement kSessionFindActive{
    "session_find_active",
    "UPDATE sessions s SET last_seen_at = now(),"
    " idle_expires_at = least(s.expires_at, now() + make_interval(secs => $2::bigint))"
    " FROM users u WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > now()"
    " AND s.idle_expires_at > now() AND u.id = s.user_id AND u.disabled_at IS NULL"
    " RETURNING s.id, s.user_id::text, u.email, u.is_admin,"
    " extract(epoch FROM s.expires_at)::bigint AS expires"};
inline constexpr Statement kSessionEnd{
    "session_end",
    "UPDATE sessions SET ended_at = now(), idle_expires_at = least(idle_expires_at, now())"
    " WHERE token_hash = $1 AND ended_at IS NULL RETURNING user_id::text, id"};

inline constexpr Statement kLoginFailureCounts{
    "login_failure_counts",
    "WITH w AS (SELECT now() - make_interval(secs => $3::bigint) AS since)"
    " SELECT p.n, p.retry, a.n, a.retry, c.n, c.retry FROM w,"
    " LATERAL (SELECT count(*) AS n, coalesce(ceil(extract(epoch FROM"
    "   min(failed_at) - w.since)), 0)::bigint AS retry FROM login_failures"
    "   WHERE account = $1 AND client_address = $2 AND failed_at > w.since) p,"
    " LATERAL (SELECT count(*) AS n, coalesce(ceil(extract(epoch FROM"
    "   min(failed_at) - w.since)), 0)::bigint AS retry FROM login_failures"
    "   WHERE client_address = $2 AND failed_at > w.since) a,"
    " LATERAL (SELECT count(*) AS n, coalesce(ceil(extract(epoch FROM"
    "   min(failed_at) - w.since)), 0)::bigint AS retry FROM login_failures"
    "   WHERE account = $1 AND failed_at > w.since) c"};
// The throttles' lock (G3): a transaction-scoped advisory lock on each of two keys (account
// or client id, and address), taken in key order so two attempts never wait on each other
// in a cycle. The count that follows, in its own statement, sees every attempt committed by
// the lock's previous holders (READ COMMITTED takes a snapshot per statement).
inline constexpr Statement kThrottleLock{
    "throttle_lock",
    "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(v, 0) AS k"
    " FROM unnest(ARRAY[$1::text, $2::text]) AS v ORDER BY k OFFSET 0) AS keys"};
inline constexpr Statement kLoginFailureRecord{
    "login_failure_record", "INSERT INTO login_failures (account, client_address) VALUES ($1, $2)"};
inline constexpr Statement kLoginFailureClear{
    "login_failure_clear", "DELETE FROM login_failures WHERE account = $1 AND client_address = $2"};

// One index lookup by hash; the family and user joins are by primary key.
inline constexpr Statement kAccessTokenFindActive{
    "access_token_find_active",
    "SELECT t.id, t.family_id, t.client_id, t.user_id::text, u.email,"
    " array_to_string(t.scopes, ' ') AS scopes, array_to_string(t.audience, ' ') AS audience,"
    " extract(epoch FROM t.created_at)::bigint AS issued,"
    " extract(epoch FROM t.expires_at)::bigint AS expires"
    " FROM access_tokens t JOIN token_families f ON f.id = t.family_id"
    " LEFT JOIN users u ON u.id = t.user_id"
    " WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()"
    " AND f.revoked_at IS NULL AND f.expires_at > now()"
    " AND (t.user_id IS NULL OR u.disabled_at IS NULL)"};

// Pruning (CONTRACT §7): each deletes at most $1 rows, found through an index. Ended
// sessions have idle_expires_at <= ended_at, so the expiry index finds them too.
inline constexpr Statement kPruneSessions{
    "prune_sessions",
    "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions"
    " WHERE least(expires_at, idle_expires_at) < now() LIMIT $1)"};
inline constexpr Statement kPruneLoginFailures{
    "prune_login_failures",
    "DELETE FROM login_failures WHERE id IN (SELECT id FROM login_failures"
    " WHERE failed_at < now() - make_interval(secs => $2::bigint) LIMIT $1)"};
inline constexpr Statement kPruneClientAuthFailures{
    "prune_client_auth_failures",
    "DELETE FROM client_auth_failures WHERE id IN (SELECT id FROM client_auth_failures"
    " WHERE failed_at < now() - make_interval(secs => $2::bigint) LIMIT $1)"};
inline constexpr Statement kPruneCodes{
    "prune_codes",
    "DELETE FROM authorization_codes WHERE id IN (SELECT id FROM authorization_codes"
    " WHERE expires_at < now() - make_interval(secs => $2::bigint) LIMIT $1)"};
// A family past its absolute expiry takes its access and refresh tokens with it (cascade).
inline constexpr Statement kPruneFamilies{
    "prune_families",
    "DELETE FROM token_families WHERE id IN (SELECT id FROM token_families"
    " WHERE expires_at < now() LIMIT $1)"};
inline constexpr Statement kPruneAccessTokens{
    "prune_access_tokens",
    "DELETE FROM access_tokens WHERE id IN (SELECT id FROM access_tokens"
    " WHERE expires_at < now() LIMIT $1)"};
inline constexpr Statement kPruneDecisions{
    "prune_decisions",
    "DELETE FROM decisions WHERE id IN (SELECT id FROM decisions"
    " WHERE created_at < now() - make_interval(days => $2::int) LIMIT $1)"};
inline constexpr Statement kPruneRateLimitedCounts{
    "prune_rate_limited_counts",
    "DELETE FROM rate_limited_counts WHERE (agent_id, minute) IN (SELECT agent_id, minute"
    " FROM rate_limited_counts WHERE minute < now() - make_interval(days => $2::int) LIMIT $1)"};
// The audit trail is a hash chain in id order (sql/0011_audit_chain.sql): only a prefix of it
// may go, so it deletes the oldest rows up to the first one still within the retention.
inline constexpr Statement kPruneAuditEvents{
    "prune_audit_events",
    "WITH p AS MATERIALIZED (SELECT id, created_at FROM audit_events ORDER BY id LIMIT $1)"
    " DELETE FROM audit_events WHERE id IN (SELECT id FROM p WHERE id < coalesce((SELECT min(id)"
    " FROM p WHERE created_at >= now() - make_interval(days => $2::int)),"
    " 9223372036854775807))"};
// Agents, tools and rules: every agent statement is scoped by its organization ($1 org_id).
#define OAKGATE_AGENT_COLUMNS                                                              \
  "id::text AS id, org_id::text AS org_id, created_by::text AS created_by, name, enabled," \
  " rate_limit, burst, floor(extract(epoch FROM created_at))::bigint AS created"
// The organization's row is locked first, so two creations cannot both pass max_agents; the
// agents are counted by the next statement, whose snapshot (read committed) is taken after
// the lock was granted and so sees an agent that the lock's previous holder committed.
// user_id is the personal organization's user (sql/0012: what the previous release reads),
// NULL in a shared organization.
inline constexpr Statement kAgentLimitLock{
    "agent_limit_lock", "SELECT max_agents FROM organizations WHERE id = $1::uuid FOR UPDATE"};
inline constexpr Statement kAgentCount{"agent_count",
                                       "SELECT count(*) FROM agents WHERE org_id = $1::uuid"};
inline constexpr Statement kAgentCreate{
    "agent_create",
    "INSERT INTO agents (org_id, user_id, created_by, name, enabled, rate_limit, burst)"
    " SELECT o.id, o.personal_user_id, nullif($2, '')::uuid, $3, $4, $5, $6"
    " FROM organizations o WHERE o.id = $1::uuid ON CONFLICT DO NOTHING"
    " RETURNING " OAKGATE_AGENT_COLUMNS};
inline constexpr Statement kAgentFind{"agent_find",
                                      "SELECT " OAKGATE_AGENT_COLUMNS
                                      " FROM agents WHERE id = $2::uuid AND org_id = $1::uuid"};
inline constexpr Statement kAgentFindByName{"agent_find_by_name",
                                            "SELECT " OAKGATE_AGENT_COLUMNS
                                            " FROM agents WHERE org_id = $1::uuid AND name = $2"};
inline constexpr Statement kAgentList{"agent_list",
                                      "SELECT " OAKGATE_AGENT_COLUMNS
                                      " FROM agents WHERE org_id = $1::uuid ORDER BY name"};
#undef OAKGATE_AGENT_COLUMNS
inline constexpr Statement kAgentUpdate{
    "agent_update",
    "UPDATE agents SET name = $3, enabled = $4, rate_limit = $5, burst = $6, updated_at = now()"
    " WHERE id = $2::uuid AND org_id = $1::uuid"};
inline constexpr Statement kAgentDelete{
    "agent_delete", "DELETE FROM agents WHERE id = $2::uuid AND org_id = $1::uuid"};

inline constexpr Statement kToolList{
    "tool_list",
    "SELECT name, array_to_string(scopes, ' ') AS scopes, description FROM tools"
    " WHERE agent_id = $1::uuid ORDER BY name"};
inline constexpr Statement kToolFind{
    "tool_find",
    "SELECT name, array_to_string(scopes, ' ') AS scopes, description FROM tools"
    " WHERE agent_id = $1::uuid AND name = $2"};
inline constexpr Statement kToolCreate{
    "tool_create",
    "INSERT INTO tools (agent_id, name, scopes, description) VALUES ($1::uuid, $2,"
    " coalesce(string_to_array(nullif($3, ''), ' '), '{}'), $4)"
    " ON CONFLICT (agent_id, name) DO NOTHING RETURNING name"};
inline constexpr Statement kToolUpdate{
    "tool_update",
    "UPDATE tools SET scopes = coalesce(string_to_array(nullif($3, ''), ' '), '{}'),"
    " description = $4 WHERE agent_id = $1::uuid AND name = $2"};
inline constexpr Statement kToolDelete{"tool_delete",
                                       "DELETE FROM tools WHERE agent_id = $1::uuid AND name = $2"};

#define OAKGATE_RULE_COLUMNS                                                                \
  "id::text AS id, tool, scope, require_reasoning, effect, conditions::text AS conditions," \
  " priority, approval_ttl"
inline constexpr Statement kRuleList{"rule_list", "SELECT " OAKGATE_RULE_COLUMNS
                                                  " FROM rules WHERE agent_id = $1::uuid"
                                                  " ORDER BY tool, scope, priority DESC, id"};
inline constexpr Statement kRuleFind{"rule_find", "SELECT " OAKGATE_RULE_COLUMNS
                                                  " FROM rules"
                                                  " WHERE id = $2::uuid AND agent_id = $1::uuid"};
// Several rules may share (agent, tool, scope) since 0014 (CONTRACT §10).
inline constexpr Statement kRuleCreate{
    "rule_create",
    "INSERT INTO rules (agent_id, tool, scope, require_reasoning, effect, conditions, priority,"
    " approval_ttl) VALUES ($1::uuid, $2, $3, $4, $5, $6::jsonb, $7, $8) RETURNING id::text AS id"};
inline constexpr Statement kRuleUpdate{
    "rule_update",
    "UPDATE rules SET tool = $3, scope = $4, require_reasoning = $5, effect = $6,"
    " conditions = $7::jsonb, priority = $8, approval_ttl = $9"
    " WHERE id = $2::uuid AND agent_id = $1::uuid"};
inline constexpr Statement kRuleDelete{
    "rule_delete", "DELETE FROM rules WHERE id = $2::uuid AND agent_id = $1::uuid"};
// What one validation needs, in one round trip: the tool (primary key) and the candidate
// rules (index rules_agent_tool_scope), as a JSON array since conditions are JSON.
inline constexpr Statement kPolicySlice{
    "policy_slice",
    "SELECT (SELECT array_to_string(scopes, ' ') FROM tools"
    "   WHERE agent_id = $1::uuid AND name = $2) AS tool_scopes,"
    " (SELECT json_agg(json_build_array(id::text, tool, scope, require_reasoning, effect,"
    "   conditions, priority, approval_ttl))"
    "   FROM rules WHERE agent_id = $1::uuid AND tool IN ($2, '*') AND scope IN ($3, '*'))"
    "   AS rules"};
#undef OAKGATE_RULE_COLUMNS

// Approvals (CONTRACT §10, sql/0014). $now is the gateway's clock in Unix seconds: a pending
// or approved approval past expires_at reads as expired.
#define OAKGATE_APPROVAL_COLUMNS(now)                                                              \
  "p.id::text AS id, p.org_id::text AS org_id, p.agent_id::text AS agent_id,"                      \
  " coalesce(a.name, '') AS agent_name, coalesce(p.key_id, '') AS key_id,"                         \
  " p.rule_id::text AS rule_id, p.tool, p.scope, p.context::text AS context, p.reasoning,"         \
  " CASE WHEN p.status IN ('pending', 'approved') AND p.expires_at <= to_timestamp(" now           \
  "::bigint) THEN 'expired' ELSE p.status END AS status,"                                          \
  " p.decided_by::text AS decided_by, floor(extract(epoch FROM p.decided_at))::bigint AS decided," \
  " p.comment, floor(extract(epoch FROM p.created_at))::bigint AS created,"                        \
  " floor(extract(epoch FROM p.expires_at))::bigint AS expires, p.decision_id::text AS "           \
  "decision_id,"                                                                                   \
  " p.used_decision_id::text AS used_decision_id"
// A pending approval past its time is marked so, which frees the one-pending index for a new
// request; then the pending one is found or opened. ON CONFLICT waits for a concurrent opener.
inline constexpr Statement kApprovalExpireStale{
    "approval_expire_stale",
    "UPDATE approvals SET status = 'expired' WHERE agent_id = $1::uuid AND tool = $2"
    " AND scope = $3 AND context_hash = $4 AND status = 'pending'"
    " AND expires_at <= to_timestamp($5::bigint)"};
inline constexpr Statement kApprovalOpen{
    "approval_open",
    "INSERT INTO approvals (id, org_id, agent_id, key_id, rule_id, tool, scope, context,"
    " context_hash, reasoning, created_at, expires_at, decision_id)"
    " VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5::uuid, $6, $7, $8::jsonb, $9, $10,"
    " to_timestamp($11::bigint), to_timestamp($12::bigint), $13::uuid)"
    " ON CONFLICT (agent_id, tool, scope, context_hash) WHERE status = 'pending' DO NOTHING"
    " RETURNING id::text AS id"};
inline constexpr Statement kApprovalFindPending{
    "approval_find_pending",
    "SELECT " OAKGATE_APPROVAL_COLUMNS("$5") " FROM approvals p JOIN agents a ON a.id = p.agent_id"
    " WHERE p.agent_id = $1::uuid AND p.tool = $2 AND p.scope = $3 AND p.context_hash = $4"
    " AND p.status = 'pending'"};
inline constexpr Statement kApprovalLockForUse{
    "approval_lock_for_use",
    "SELECT " OAKGATE_APPROVAL_COLUMNS("$3") ", p.context_hash"
    " FROM approvals p JOIN agents a ON a.id = p.agent_id"
    " WHERE p.id = $1::uuid AND p.agent_id = $2::uuid FOR UPDATE OF p"};
inline constexpr Statement kApprovalMarkUsed{
    "approval_mark_used",
    "UPDATE approvals SET status = 'used', used_at = to_timestamp($2::bigint),"
    " used_decision_id = $3::uuid WHERE id = $1::uuid AND status = 'approved'"};
inline constexpr Statement kApprovalFindForAgent{
    "approval_find_for_agent",
    "SELECT " OAKGATE_APPROVAL_COLUMNS("$3") " FROM approvals p JOIN agents a ON a.id = p.agent_id"
    " WHERE p.id = $2::uuid AND p.agent_id = $1::uuid"};
inline constexpr Statement kApprovalFind{
    "approval_find",
    "SELECT " OAKGATE_APPROVAL_COLUMNS("$3") " FROM approvals p JOIN agents a ON a.id = p.agent_id"
    " WHERE p.id = $2::uuid AND p.org_id = $1::uuid"};
// Newest first on (org_id, created_at DESC, id); the inbox puts pending ones first. Absent
// filters are NULL; the cursor is the last row's (created, id).
inline constexpr Statement kApprovalList{
    "approval_list",
    "SELECT * FROM (SELECT " OAKGATE_APPROVAL_COLUMNS("$2")
    " FROM approvals p JOIN agents a ON a.id = p.agent_id WHERE p.org_id = $1::uuid"
    " AND ($4::uuid IS NULL OR p.agent_id = $4::uuid)"
    " AND ($5::bigint IS NULL OR (p.created_at, p.id) < (to_timestamp($5::bigint), $6::uuid))) x"
    " WHERE ($3::text IS NULL OR x.status = $3::text)"
    " ORDER BY CASE WHEN $8::boolean AND x.status = 'pending' THEN 0 ELSE 1 END,"
    " x.created DESC, x.id DESC LIMIT $7"};
inline constexpr Statement kApprovalLockForDecision{
    "approval_lock_for_decision",
    "SELECT CASE WHEN status = 'pending' AND expires_at <= to_timestamp($3::bigint)"
    " THEN 'expired' ELSE status END AS status,"
    " floor(extract(epoch FROM expires_at - created_at))::bigint AS ttl"
    " FROM approvals WHERE id = $2::uuid AND org_id = $1::uuid FOR UPDATE"};
inline constexpr Statement kApprovalDecide{
    "approval_decide",
    "UPDATE approvals SET status = $3, decided_by = $4::uuid, decided_at = "
    "to_timestamp($5::bigint),"
    " comment = $6, expires_at = CASE WHEN $3 = 'approved' THEN to_timestamp($7::bigint)"
    " ELSE expires_at END WHERE id = $2::uuid AND org_id = $1::uuid AND status = 'pending'"};
#undef OAKGATE_APPROVAL_COLUMNS

// Webhooks (CONTRACT §11, sql/0015). Times in Unix milliseconds are the gateway's clock.
#define OAKGATE_WEBHOOK_COLUMNS                                                            \
  "id::text AS id, org_id::text AS org_id, url, description,"                              \
  " array_to_string(events, ' ') AS events, enabled, disabled_reason, secret_sealed,"      \
  " previous_sealed, floor(extract(epoch FROM previous_until))::bigint AS previous_until," \
  " floor(extract(epoch FROM created_at))::bigint AS created"
inline constexpr Statement kWebhookCreate{
    "webhook_create",
    "INSERT INTO webhook_endpoints (org_id, url, description, events, secret_sealed)"
    " VALUES ($1::uuid, $2, $3, string_to_array($4, ' '), $5) RETURNING " OAKGATE_WEBHOOK_COLUMNS};
inline constexpr Statement kWebhookList{
    "webhook_list", "SELECT " OAKGATE_WEBHOOK_COLUMNS
                    " FROM webhook_endpoints WHERE org_id = $1::uuid ORDER BY created_at, id"};
inline constexpr Statement kWebhookFind{
    "webhook_find", "SELECT " OAKGATE_WEBHOOK_COLUMNS
                    " FROM webhook_endpoints WHERE id = $2::uuid AND org_id = $1::uuid"};
inline constexpr Statement kWebhookUpdate{
    "webhook_update",
    "UPDATE webhook_endpoints SET url = $3, description = $4, events = string_to_array($5, ' '),"
    " enabled = $6,"
    " disabled_reason = CASE WHEN $6 THEN NULL ELSE disabled_reason END,"
    " failing_since = CASE WHEN $6 AND NOT enabled THEN NULL ELSE failing_since END"
    " WHERE id = $2::uuid AND org_id = $1::uuid"};
inline constexpr Statement kWebhookDelete{
    "webhook_delete", "DELETE FROM webhook_endpoints WHERE id = $2::uuid AND org_id = $1::uuid"};
inline constexpr Statement kWebhookRotate{
    "webhook_rotate",
    "UPDATE webhook_endpoints SET previous_sealed = secret_sealed, secret_sealed = $3,"
    " previous_until = to_timestamp($4::bigint) WHERE id = $2::uuid AND org_id = $1::uuid"
    " RETURNING " OAKGATE_WEBHOOK_COLUMNS};
#define OAKGATE_DELIVERY_COLUMNS                                                                \
  "d.id::text AS id, d.event_id::text AS event_id, d.endpoint_id::text AS endpoint_id, d.type," \
  " d.status, d.attempts, d.last_status, d.last_error,"                                         \
  " CASE WHEN d.status = 'pending' THEN floor(extract(epoch FROM d.next_attempt_at))::bigint"   \
  " END AS next_attempt, floor(extract(epoch FROM d.created_at) * 1000)::bigint AS created_ms," \
  " floor(extract(epoch FROM d.delivered_at))::bigint AS delivered"
// Keyset pages on (endpoint_id, created_at DESC, id); the cursor is "<created_ms>:<id>".
inline constexpr Statement kWebhookDeliveries{
    "webhook_deliveries",
    "SELECT " OAKGATE_DELIVERY_COLUMNS
    " FROM webhook_deliveries d"
    " JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.org_id = $1::uuid"
    " WHERE d.endpoint_id = $2::uuid AND ($3::bigint IS NULL OR"
    " (floor(extract(epoch FROM d.created_at) * 1000)::bigint, d.id) < ($3::bigint, $4::uuid))"
    " ORDER BY d.created_at DESC, d.id DESC LIMIT $5"};
inline constexpr Statement kWebhookRetry{
    "webhook_retry",
    "UPDATE webhook_deliveries d SET status = 'pending', lease_until = NULL,"
    " next_attempt_at = to_timestamp($4::bigint / 1000.0),"
    " created_at = CASE WHEN d.status = 'failed' THEN to_timestamp($4::bigint / 1000.0)"
    " ELSE d.created_at END"
    " FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.org_id = $1::uuid"
    " AND d.endpoint_id = $2::uuid AND d.id = $3::uuid RETURNING " OAKGATE_DELIVERY_COLUMNS};
// A sender's claim: due deliveries of enabled endpoints not busy in this sender, locked with
// SKIP LOCKED so that concurrent claims (another instance, the other colour) never take the
// same row, and leased so that none is sent twice at once.
// One endpoint at a time (LATERAL, on webhook_deliveries_endpoint_due): at most 4 of an
// endpoint's due deliveries a claim, so a claim costs an index probe per enabled endpoint, not a
// scan of a backlog that a slow endpoint's deliveries make long.
inline constexpr Statement kWebhookClaim{
    "webhook_claim",
    "WITH due AS (SELECT x.id FROM webhook_endpoints e CROSS JOIN LATERAL"
    " (SELECT d.id, d.next_attempt_at FROM webhook_deliveries d"
    " WHERE d.endpoint_id = e.id AND d.status = 'pending'"
    " AND d.next_attempt_at <= to_timestamp($1::bigint / 1000.0)"
    " AND (d.lease_until IS NULL OR d.lease_until <= to_timestamp($1::bigint / 1000.0))"
    " ORDER BY d.next_attempt_at LIMIT 4 FOR UPDATE OF d SKIP LOCKED) x"
    " WHERE e.enabled"
    " AND e.id <> ALL (coalesce(string_to_array(nullif($4, ''), ' '), '{}')::uuid[])"
    " ORDER BY x.next_attempt_at LIMIT $3)"
    " UPDATE webhook_deliveries d SET lease_until = to_timestamp(($1::bigint + $2::bigint) / "
    "1000.0)"
    " FROM due, webhook_endpoints e WHERE d.id = due.id AND e.id = d.endpoint_id"
    " RETURNING d.id::text AS id, d.event_id::text AS event_id, d.endpoint_id::text AS endpoint_id,"
    " d.type, d.payload::text AS payload, d.attempts,"
    " floor(extract(epoch FROM d.created_at) * 1000)::bigint AS created_ms, e.url,"
    " e.secret_sealed, e.previous_sealed,"
    " floor(extract(epoch FROM e.previous_until))::bigint AS previous_until"};
inline constexpr Statement kWebhookLive{
    "webhook_live", "SELECT 1 FROM webhook_endpoints WHERE id = $1::uuid AND enabled"};
inline constexpr Statement kWebhookSucceeded{
    "webhook_succeeded",
    "WITH d AS (UPDATE webhook_deliveries SET status = 'succeeded', attempts = attempts + 1,"
    " last_status = $2, last_error = NULL, lease_until = NULL,"
    " delivered_at = to_timestamp($3::bigint / 1000.0) WHERE id = $1::uuid AND status = 'pending'"
    " RETURNING endpoint_id)"
    " UPDATE webhook_endpoints SET failing_since = NULL FROM d WHERE id = d.endpoint_id"
    " AND failing_since IS NOT NULL"};
// $4: when to try again, NULL: failed for good. The endpoint's failure streak starts now unless
// it has one; one older than $6 ms disables the endpoint, saying why.
inline constexpr Statement kWebhookRelease{
    "webhook_release",
    "UPDATE webhook_deliveries SET lease_until = NULL"
    " WHERE id = ANY(string_to_array($1, ' ')::uuid[]) AND status = 'pending'"};
inline constexpr Statement kWebhookFailed{
    "webhook_failed",
    "WITH d AS (UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $2,"
    " last_error = $3, lease_until = NULL,"
    " status = CASE WHEN $4::bigint IS NULL THEN 'failed' ELSE 'pending' END,"
    " next_attempt_at = coalesce(to_timestamp($4::bigint / 1000.0), next_attempt_at)"
    " WHERE id = $1::uuid AND status = 'pending' RETURNING endpoint_id)"
    " UPDATE webhook_endpoints e SET"
    " failing_since = coalesce(e.failing_since, to_timestamp($5::bigint / 1000.0)),"
    " enabled = CASE WHEN e.failing_since IS NOT NULL AND e.failing_since"
    "   <= to_timestamp(($5::bigint - $6::bigint) / 1000.0) THEN false ELSE e.enabled END,"
    " disabled_reason = CASE WHEN e.failing_since IS NOT NULL AND e.failing_since"
    "   <= to_timestamp(($5::bigint - $6::bigint) / 1000.0)"
    "   THEN 'disabled: every delivery failed since ' ||"
    "   to_char(e.failing_since AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    "   ELSE e.disabled_reason END"
    " FROM d WHERE e.id = d.endpoint_id"};
inline constexpr Statement kWebhookQueue{
    "webhook_queue",
    "SELECT count(*) AS depth, coalesce(floor(extract(epoch FROM"
    " (to_timestamp($1::bigint / 1000.0) - min(created_at))))::bigint, 0) AS oldest"
    " FROM webhook_deliveries WHERE status = 'pending'"};
#undef OAKGATE_WEBHOOK_COLUMNS
#undef OAKGATE_DELIVERY_COLUMNS

// Organizations and members (CONTRACT §9, sql/0012). $1 is the user, $2 an id or a slug (a
// slug never has the form of a uuid, so the two cannot name different organizations).
#define OAKGATE_ORG_COLUMNS                                                       \
  "o.id::text AS id, o.name, o.slug, o.personal_user_id IS NOT NULL AS personal," \
  " o.max_agents, o.monthly_decisions, floor(extract(epoch FROM o.created_at))::bigint AS created"
#define OAKGATE_ORG_NAMED(param)                     \
  " (o.slug = " param " OR (" param                  \
  " ~ '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$'" \
  " AND o.id::text = " param "))"
inline constexpr Statement kOrgMembership{
    "org_membership",
    "SELECT " OAKGATE_ORG_COLUMNS
    ", m.role FROM organizations o"
    " JOIN org_members m ON m.org_id = o.id AND m.user_id = $1::uuid WHERE" OAKGATE_ORG_NAMED(
        "$2")};
inline constexpr Statement kOrgPersonal{"org_personal", "SELECT " OAKGATE_ORG_COLUMNS
                                                        ", 'owner' AS role FROM organizations o"
                                                        " WHERE o.personal_user_id = $1::uuid"};
inline constexpr Statement kOrgListForUser{
    "org_list_for_user", "SELECT " OAKGATE_ORG_COLUMNS
                         ", m.role FROM organizations o"
                         " JOIN org_members m ON m.org_id = o.id WHERE m.user_id = $1::uuid"
                         " ORDER BY o.personal_user_id IS NULL, o.name, o.slug"};
inline constexpr Statement kOrgFind{"org_find",
                                    "SELECT " OAKGATE_ORG_COLUMNS
                                    " FROM organizations o WHERE" OAKGATE_ORG_NAMED("$1")};
inline constexpr Statement kOrgList{
    "org_list", "SELECT " OAKGATE_ORG_COLUMNS " FROM organizations o ORDER BY o.slug"};
inline constexpr Statement kOrgCreate{
    "org_create",
    "INSERT INTO organizations AS o (name, slug) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING"
    " RETURNING " OAKGATE_ORG_COLUMNS};
inline constexpr Statement kOrgUpdate{
    "org_update",
    "UPDATE organizations SET name = $2, slug = $3, updated_at = now() WHERE id = $1::uuid"};
inline constexpr Statement kOrgDelete{
    "org_delete", "DELETE FROM organizations WHERE id = $1::uuid AND personal_user_id IS NULL"};
inline constexpr Statement kOrgSetLimits{
    "org_set_limits",
    "UPDATE organizations SET max_agents = $2::integer, monthly_decisions = $3::bigint,"
    " updated_at = now() WHERE id = $1::uuid"};
#undef OAKGATE_ORG_NAMED
#undef OAKGATE_ORG_COLUMNS
// The organization's row is locked before its owners are counted, so two changes cannot take
// away its last two owners together.
inline constexpr Statement kOrgLock{"org_lock",
                                    "SELECT id FROM organizations WHERE id = $1::uuid FOR UPDATE"};
inline constexpr Statement kOrgMemberList{
    "org_member_list",
    "SELECT m.user_id::text AS user_id, u.email, m.role,"
    " floor(extract(epoch FROM m.created_at))::bigint AS joined FROM org_members m"
    " JOIN users u ON u.id = m.user_id WHERE m.org_id = $1::uuid ORDER BY u.email"};
inline constexpr Statement kOrgMemberAdd{
    "org_member_add",
    "INSERT INTO org_members (org_id, user_id, role) VALUES ($1::uuid, $2::uuid, $3)"
    " ON CONFLICT (org_id, user_id) DO NOTHING"};
inline constexpr Statement kOrgMemberRole{
    "org_member_role",
    "SELECT role, (SELECT count(*) FROM org_members WHERE org_id = $1::uuid AND role = 'owner')"
    " AS owners FROM org_members WHERE org_id = $1::uuid AND user_id = $2::uuid"};
inline constexpr Statement kOrgMemberSetRole{
    "org_member_set_role",
    "UPDATE org_members SET role = $3 WHERE org_id = $1::uuid AND user_id = $2::uuid"};
inline constexpr Statement kOrgMemberRemove{
    "org_member_remove", "DELETE FROM org_members WHERE org_id = $1::uuid AND user_id = $2::uuid"};

// API keys. Times are floored Unix seconds; `expired` is judged by the database's clock.
#define OAKGATE_API_KEY_COLUMNS                                                  \
  "k.key_id, k.key_hash, k.user_id::text AS user_id, k.org_id::text AS org_id,"  \
  " k.agent_id::text AS agent_id, k.name,"                                       \
  " array_to_string(k.scopes, ' ') AS scopes,"                                   \
  " floor(extract(epoch FROM k.created_at))::bigint AS created,"                 \
  " floor(extract(epoch FROM k.expires_at))::bigint AS expires,"                 \
  " floor(extract(epoch FROM k.revoked_at))::bigint AS revoked,"                 \
  " floor(extract(epoch FROM k.last_used_at))::bigint AS last_used, k.replaces," \
  " (k.expires_at IS NOT NULL AND k.expires_at <= now()) AS expired"
inline constexpr Statement kApiKeyInsert{
    "api_key_insert",
    "INSERT INTO api_keys AS k (key_id, key_hash, user_id, agent_id, name, scopes, expires_at,"
    " replaces, org_id) VALUES ($1, $2, $3::uuid, $4::uuid, $5,"
    " coalesce(string_to_array(nullif($6, ''), ' '), '{}'),"
    " now() + make_interval(secs => $7::bigint), $8, nullif($9, '')::uuid)"
    " RETURNING " OAKGATE_API_KEY_COLUMNS};
inline constexpr Statement kApiKeyVerify{
    "api_key_verify",
    "SELECT " OAKGATE_API_KEY_COLUMNS
    ", u.disabled_at IS NOT NULL AS user_disabled, a.enabled, a.rate_limit, a.burst,"
    " a.org_id::text AS org_id, a.user_id::text AS agent_user_id"
    " FROM api_keys k JOIN agents a ON a.id = k.agent_id JOIN users u ON u.id = k.user_id"
    " WHERE k.key_id = $1"};
// The management statements are scoped by the organization ($1 org_id).
inline constexpr Statement kApiKeyFindInOrg{
    "api_key_find_in_org", "SELECT " OAKGATE_API_KEY_COLUMNS
                           " FROM api_keys k WHERE k.key_id = $2 AND k.org_id = $1::uuid"};
inline constexpr Statement kApiKeyList{"api_key_list", "SELECT " OAKGATE_API_KEY_COLUMNS
                                                       " FROM api_keys k WHERE k.org_id = $1::uuid"
                                                       " ORDER BY k.created_at DESC"};
inline constexpr Statement kApiKeyRevoke{
    "api_key_revoke",
    "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())"
    " WHERE key_id = $2 AND org_id = $1::uuid"};
inline constexpr Statement kApiKeyExpireForRotation{
    "api_key_expire_for_rotation",
    "UPDATE api_keys SET expires_at = least(coalesce(expires_at, 'infinity'),"
    " now() + make_interval(secs => $3::bigint))"
    " WHERE key_id = $2 AND org_id = $1::uuid AND revoked_at IS NULL"
    " RETURNING floor(extract(epoch FROM expires_at))::bigint AS expires"};
#undef OAKGATE_API_KEY_COLUMNS
// At most one write per key and minute, whatever the request rate.
inline constexpr Statement kApiKeyTouch{
    "api_key_touch",
    "UPDATE api_keys SET last_used_at = now() WHERE key_id = $1"
    " AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')"};

// The decision log: a whole batch in one statement. A decision whose agent was deleted
// meanwhile is left out by the join instead of failing the batch on its foreign key.
// The batch is one json parameter (json, not jsonb: read once, never built into a tree).
// The user and the organization are the agent's, and the agents are locked FOR KEY SHARE: a
// decision is written only for an agent that exists at commit (0006 replaced the foreign keys
// by this). org_id is always written, so 0012's trigger for the previous release's inserts
// never fires for these (it would count them a second time).
// The same statement adds what it inserted to the usage counters, per (organization, day,
// agent): one round trip and one commit for both, so the counters are exactly the decisions
// that committed (CONTRACT §9: the usage page reads them, never `decisions`). The day is the
// decision's created_at in UTC, as 0012 counts the previous release's. Rows are upserted in
// key order so that two writers' batches lock shared counters in the same order.
inline constexpr Statement kDecisionInsertBatch{
    "decision_insert_batch",
    "WITH d AS (INSERT INTO decisions (id, user_id, org_id, agent_id, key_id, tool, scope,"
    " allowed, reason, rule_id, reasoning, reasoning_required, reasoning_provided, context,"
    " request_id, approval_id)"
    " SELECT x.id, a.user_id, a.org_id, a.id, x.key_id, x.tool, x.scope, x.allowed, x.reason,"
    " x.rule_id, x.reasoning, x.reasoning_required, x.reasoning_provided, x.context, x.request_id,"
    " x.approval_id"
    " FROM json_to_recordset($1::json) AS x(id uuid, agent_id uuid, key_id text,"
    " tool text, scope text, allowed boolean, reason text, rule_id uuid, reasoning text,"
    " reasoning_required boolean, reasoning_provided boolean, context jsonb, request_id text,"
    " approval_id uuid)"
    " JOIN agents a ON a.id = x.agent_id FOR KEY SHARE OF a"
    " RETURNING id, org_id, agent_id, allowed, created_at),"
    " c AS (INSERT INTO usage_counters AS u (org_id, day, agent_id, allowed, denied)"
    " SELECT org_id, (created_at AT TIME ZONE 'UTC')::date, agent_id,"
    " count(*) FILTER (WHERE allowed), count(*) FILTER (WHERE NOT allowed)"
    " FROM d WHERE org_id IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    " ON CONFLICT (org_id, day, agent_id) DO UPDATE"
    " SET allowed = u.allowed + excluded.allowed, denied = u.denied + excluded.denied)"
    " SELECT id::text AS id FROM d"};
inline constexpr Statement kDecisionExisting{
    "decision_existing",
    "SELECT id::text AS id FROM decisions WHERE id = ANY(string_to_array($1, ' ')::uuid[])"};
// Validations refused without a decision (store::RefusalCount): the rate-limited ones into
// the per-minute counts the dashboard summary reads, both kinds into the usage counters of the
// agent's organization, on the UTC day of their minute. One statement, atomic on its own.
inline constexpr Statement kRefusalsAdd{
    "refusals_add",
    "WITH x AS (SELECT x.agent_id, x.minute, x.rate_limited, x.quota_exceeded, a.org_id"
    " FROM jsonb_to_recordset($1::jsonb) AS x(agent_id uuid, minute bigint,"
    " rate_limited bigint, quota_exceeded bigint) JOIN agents a ON a.id = x.agent_id),"
    " r AS (INSERT INTO rate_limited_counts (agent_id, minute, count)"
    " SELECT agent_id, to_timestamp(minute), rate_limited FROM x WHERE rate_limited > 0"
    " ORDER BY 1, 2"
    " ON CONFLICT (agent_id, minute) DO UPDATE SET count = rate_limited_counts.count"
    " + excluded.count)"
    " INSERT INTO usage_counters AS u (org_id, day, agent_id, rate_limited, quota_exceeded)"
    " SELECT org_id, (to_timestamp(minute) AT TIME ZONE 'UTC')::date, agent_id,"
    " sum(rate_limited), sum(quota_exceeded) FROM x WHERE org_id IS NOT NULL"
    " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    " ON CONFLICT (org_id, day, agent_id) DO UPDATE"
    " SET rate_limited = u.rate_limited + excluded.rate_limited,"
    " quota_exceeded = u.quota_exceeded + excluded.quota_exceeded"};
// An organization's usage (store::UsageStore): the operator's limits, and the month's
// counters per agent and per day ($2 is the month's first day); never `decisions`.
inline constexpr Statement kOrgLimits{
    "org_limits",
    "SELECT max_agents::bigint AS max_agents, monthly_decisions FROM organizations"
    " WHERE id = $1::uuid"};
inline constexpr Statement kUsageAgents{
    "usage_agents",
    "SELECT agent_id::text AS agent_id, sum(allowed)::bigint AS allowed,"
    " sum(denied)::bigint AS denied, sum(rate_limited)::bigint AS rate_limited,"
    " sum(quota_exceeded)::bigint AS quota_exceeded FROM usage_counters"
    " WHERE org_id = $1::uuid AND day >= $2::date AND day < ($2::date + interval '1 month')"
    " GROUP BY agent_id ORDER BY agent_id"};
inline constexpr Statement kUsageDays{
    "usage_days",
    "SELECT to_char(g.day, 'YYYY-MM-DD') AS date, coalesce(sum(u.allowed), 0)::bigint AS allowed,"
    " coalesce(sum(u.denied), 0)::bigint AS denied"
    " FROM generate_series($2::date, $2::date + interval '1 month' - interval '1 day',"
    " interval '1 day') AS g(day)"
    " LEFT JOIN usage_counters u ON u.org_id = $1::uuid AND u.day = g.day::date"
    " GROUP BY g.day ORDER BY g.day"};
// One lease of an organization's monthly allowance (store::UsageStore::LeaseMonthly): $1
// organization, $2 the month's first day, $3 the limit, $4 the block. A single upsert, so two
// instances leasing at once serialize on the row and never both take the same units. What was
// handed out is raised first to the decisions the month's counters hold (the row may be new,
// the limit set mid-month, or the previous release may have recorded some); a block is then
// taken from what is left under the limit, possibly less than a block, possibly none.
inline constexpr Statement kQuotaLease{
    "quota_lease",
    "INSERT INTO org_monthly_allowance AS q (org_id, month, leased, granted)"
    " SELECT $1::uuid, $2::date, c.n + g.n, g.n FROM"
    " (SELECT coalesce(sum(allowed + denied), 0)::bigint AS n FROM usage_counters"
    "  WHERE org_id = $1::uuid AND day >= $2::date"
    "  AND day < ($2::date + interval '1 month')) c,"
    " LATERAL (SELECT least($4::bigint, greatest($3::bigint - c.n, 0)) AS n) g"
    " ON CONFLICT (org_id, month) DO UPDATE SET (leased, granted) = ("
    "  SELECT r.n + g.n, g.n FROM"
    "  (SELECT greatest(q.leased, excluded.leased - excluded.granted) AS n) r,"
    "  LATERAL (SELECT least($4::bigint, greatest($3::bigint - r.n, 0)) AS n) g)"
    " RETURNING granted, leased"};
// One lease from an agent's shared token bucket (store::RateBucketStore::TakeChunk): $1 agent,
// $2 rate (tokens a minute = units a millisecond), $3 burst, $4 chunk. A single upsert, so
// two instances leasing at once serialize on the row and never both take the same tokens.
// The time is the database's clock_timestamp() (not now(), which is the transaction's start)
// so instances need not agree on the time. Elapsed time is capped at what fills the bucket
// before it is multiplied by the rate, so a long idle period cannot overflow.
inline constexpr Statement kRateBucketLease{
    "rate_bucket_lease",
    "INSERT INTO rate_buckets AS b (agent_id, units, updated_ms, granted)"
    " SELECT $1::uuid, ($3::bigint - least($4::bigint, $3::bigint)) * 60000, n.ms,"
    " least($4::bigint, $3::bigint)"
    " FROM (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms) n"
    " ON CONFLICT (agent_id) DO UPDATE SET (units, updated_ms, granted) = ("
    "  SELECT r.units - g.n * 60000, r.ms, g.n FROM"
    "  (SELECT least($3::bigint * 60000, b.units + $2::bigint"
    "   * least(greatest(excluded.updated_ms - b.updated_ms, 0),"
    "           ($3::bigint * 60000 + $2::bigint - 1) / $2::bigint)) AS units,"
    "   greatest(b.updated_ms, excluded.updated_ms) AS ms) r,"
    "  LATERAL (SELECT least($4::bigint, r.units / 60000) AS n) g)"
    " RETURNING granted, units"};
// Keyset pagination on the (org_id, seq DESC) index (0012); absent filters are NULL.
inline constexpr Statement kDecisionList{
    "decision_list",
    "SELECT id::text AS id, seq, org_id::text AS org_id, agent_id::text AS agent_id, key_id,"
    " tool, scope, allowed,"
    " reason, rule_id::text AS rule_id, reasoning, reasoning_required, reasoning_provided,"
    " context::text AS context, request_id, approval_id::text AS approval_id,"
    " floor(extract(epoch FROM created_at))::bigint AS created FROM decisions"
    " WHERE org_id = $1::uuid AND ($2::uuid IS NULL OR agent_id = $2::uuid)"
    " AND ($3::text IS NULL OR tool = $3::text) AND ($4::text IS NULL OR scope = $4::text)"
    " AND ($5::boolean IS NULL OR allowed = $5::boolean)"
    " AND ($6::bigint IS NULL OR created_at >= to_timestamp($6::bigint))"
    " AND ($7::bigint IS NULL OR created_at < to_timestamp($7::bigint))"
    " AND ($8::bigint IS NULL OR seq < $8::bigint)"
    " ORDER BY seq DESC LIMIT $9::bigint"};
// --- OAuth: codes, families, tokens, consent, audit, client-auth throttling --------------
// Arrays are passed as space-separated text: coalesce(string_to_array(nullif($n, ''), ' '), '{}').
inline constexpr Statement kCodeCreate{
    "code_create",
    "INSERT INTO authorization_codes (code_hash, client_id, user_id, redirect_uri,"
    " redirect_uri_given, scopes, code_challenge, expires_at, resources)"
    " VALUES ($1, $2, $3::uuid, $4, $5,"
    " coalesce(string_to_array(nullif($6, ''), ' '), '{}'), $7,"
    " now() + make_interval(secs => $8::bigint),"
    " coalesce(string_to_array(nullif($9, ''), ' '), '{}'))"};
inline constexpr Statement kCodeFind{
    "code_find",
    "SELECT c.id, c.client_id, c.user_id::text, c.redirect_uri, c.redirect_uri_given,"
    " array_to_string(c.scopes, ' ') AS scopes, array_to_string(c.resources, ' ') AS resources,"
    " c.code_challenge, c.used_at IS NOT NULL AS used,"
    " c.expires_at <= now() AS expired, c.family_id, u.disabled_at IS NOT NULL AS user_disabled"
    " FROM authorization_codes c JOIN users u ON u.id = c.user_id WHERE c.code_hash = $1"};
// RFC 6749 §4.1.2 single use: one compare-and-set. Under READ COMMITTED a concurrent second
// UPDATE waits for the first to commit and then re-checks used_at, so exactly one wins.
inline constexpr Statement kCodeRedeem{
    "code_redeem",
    "UPDATE authorization_codes SET used_at = now(), family_id = $2"
    " WHERE id = $1 AND used_at IS NULL AND expires_at > now() RETURNING id"};
inline constexpr Statement kFamilyCreate{
    "family_create",
    "INSERT INTO token_families (client_id, user_id, scopes, expires_at, resources,"
    " idle_ttl_seconds)"
    " VALUES ($1, nullif($2, '')::uuid, coalesce(string_to_array(nullif($3, ''), ' '), '{}'),"
    " now() + make_interval(secs => $4::bigint),"
    " coalesce(string_to_array(nullif($5, ''), ' '), '{}'), $6::integer) RETURNING id"};
// A family is live while not revoked, before its absolute expiry and, with an idle limit,
// used (started or rotated) within it (RFC 9700 §4.14.2); alias f. kRefreshRotateBatch spells
// the same test on its alias fam.
#define OAKGATE_FAMILY_LIVE                                                   \
  "f.revoked_at IS NULL AND f.expires_at > now() AND (f.idle_ttl_seconds = 0" \
  " OR f.last_used_at + make_interval(secs => f.idle_ttl_seconds) > now())"
// The first statement of a rotation: it locks the family row, and only while the family is
// still live, before any of its tokens. The prune task deletes a family and then (by cascade)
// its tokens, so taking the locks in the same order means a rotation and a prune of the same
// family never deadlock, and a rotation never inserts into a family that a prune is deleting
// or has deleted (a foreign-key failure): it sees no row and decides again on fresh data.
inline constexpr Statement kFamilyTouch{"family_touch",
                                        "UPDATE token_families f SET last_used_at = now()"
                                        " WHERE f.id = $1 AND " OAKGATE_FAMILY_LIVE
                                        " RETURNING f.id"};
inline constexpr Statement kFamilyRevoke{
    "family_revoke",
    "UPDATE token_families SET revoked_at = now(), revoked_reason = $2"
    " WHERE id = $1 AND revoked_at IS NULL"};
// client_credentials (RFC 6749 §4.4) for a batch of requests in one statement: for each, the
// family, its access token and the audit event, so a batch costs one round trip and one commit
// (autocommit: all or none). Each row of $1 is {"i" (its place in the batch), "client_id",
// "scopes", "ttl" (seconds), "audience", "hash" (hex), then the audit event's fields as in
// kAuditRecord; the subject is the new family}. Family ids are drawn first, so each token and
// audit event finds its own family.
inline constexpr Statement kClientCredentialsIssue{
    "client_credentials_issue",
    "WITH r AS MATERIALIZED (SELECT nextval('token_families_id_seq') AS id, x.*"
    "  FROM json_to_recordset($1::json) AS x(i int, client_id text, scopes text, ttl bigint,"
    "  audience text, hash text, type text, user_id text, audit_client text, actor text,"
    "  address text, request_id text, details text)),"
    " f AS (INSERT INTO token_families (id, client_id, user_id, scopes, expires_at, resources)"
    "  SELECT id, client_id, NULL, coalesce(string_to_array(nullif(scopes, ''), ' '), '{}'),"
    "  now() + make_interval(secs => ttl),"
    "  coalesce(string_to_array(nullif(audience, ''), ' '), '{}') FROM r"
    "  RETURNING id, expires_at),"
    " t AS (INSERT INTO access_tokens (token_hash, family_id, client_id, user_id, scopes,"
    "  expires_at, audience) SELECT decode(r.hash, 'hex'), f.id, r.client_id, NULL,"
    "  coalesce(string_to_array(nullif(r.scopes, ''), ' '), '{}'), f.expires_at,"
    "  coalesce(string_to_array(nullif(r.audience, ''), ' '), '{}') FROM f JOIN r USING (id)"
    "  RETURNING family_id, round(extract(epoch FROM expires_at - now()))::bigint AS expires_in),"
    " a AS (INSERT INTO audit_events (type, user_id, client_id, actor, subject, client_address,"
    "  request_id, details) SELECT type, nullif(user_id, '')::uuid, nullif(audit_client, ''),"
    "  nullif(actor, ''), 'family:' || id, nullif(address, ''), nullif(request_id, ''),"
    "  details::jsonb FROM r)"
    " SELECT r.i, t.family_id, t.expires_in FROM t JOIN r ON r.id = t.family_id"};
// An access token never outlives its family.
inline constexpr Statement kAccessTokenCreate{
    "access_token_create",
    "INSERT INTO access_tokens (token_hash, family_id, client_id, user_id, scopes, expires_at,"
    " audience) SELECT $1, f.id, f.client_id, f.user_id,"
    " coalesce(string_to_array(nullif($2, ''), ' '), '{}'),"
    " least(f.expires_at, now() + make_interval(secs => $3::bigint)),"
    " coalesce(string_to_array(nullif($5, ''), ' '), '{}')"
    " FROM token_families f WHERE f.id = $4"
    " RETURNING round(extract(epoch FROM expires_at - now()))::bigint AS expires_in"};
inline constexpr Statement kAccessTokenStored{"access_token_stored",
                                              "SELECT 1 FROM access_tokens WHERE token_hash = $1"};
inline constexpr Statement kAccessTokenOwner{
    "access_token_owner",
    "SELECT id, family_id, client_id FROM access_tokens WHERE token_hash = $1"};
inline constexpr Statement kAccessTokenRevoke{
    "access_token_revoke",
    "UPDATE access_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL"};
inline constexpr Statement kRefreshTokenCreate{
    "refresh_token_create",
    "INSERT INTO refresh_tokens (token_hash, family_id, parent_id) VALUES ($1, $2, $3)"};
// The token, its family and its newest never-used child (index on parent_id).
inline constexpr Statement kRefreshTokenFind{
    "refresh_token_find",
    "SELECT r.id, r.family_id, f.client_id, f.user_id::text, u.email,"
    " array_to_string(f.scopes, ' ') AS scopes, array_to_string(f.resources, ' ') AS resources,"
    " extract(epoch FROM f.created_at)::bigint AS family_created,"
    " extract(epoch FROM CASE WHEN f.idle_ttl_seconds = 0 THEN f.expires_at ELSE least("
    "  f.expires_at, f.last_used_at + make_interval(secs => f.idle_ttl_seconds)) END)::bigint"
    "  AS family_expires,"
    " r.used_at IS NOT NULL AS retired,"
    " coalesce((extract(epoch FROM now() - r.used_at) * 1000)::bigint, 0) AS since_retired_ms,"
    " r.revoked_at IS NOT NULL AS revoked,"
    " (" OAKGATE_FAMILY_LIVE
    "  AND (f.user_id IS NULL OR u.disabled_at IS NULL)) AS family_active,"
    " (SELECT c.id FROM refresh_tokens c WHERE c.parent_id = r.id AND c.used_at IS NULL"
    "  AND c.revoked_at IS NULL ORDER BY c.id DESC LIMIT 1) AS child"
    " FROM refresh_tokens r JOIN token_families f ON f.id = r.family_id"
    " LEFT JOIN users u ON u.id = f.user_id WHERE r.token_hash = $1"};
#undef OAKGATE_FAMILY_LIVE
// Rotation: retiring is a compare-and-set, like code redemption.
inline constexpr Statement kRefreshTokenRetire{
    "refresh_token_retire",
    "UPDATE refresh_tokens SET used_at = now()"
    " WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL RETURNING id"};
inline constexpr Statement kRefreshTokenRetireUnused{
    "refresh_token_retire_unused",
    "UPDATE refresh_tokens SET revoked_at = now()"
    " WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL RETURNING id"};
// The common refresh for a batch of requests in one statement (store::RotationStore):
// one round trip and one commit (autocommit: all or none) for the lookup, the compare-and-set,
// the new tokens and the audit events of every request. Each row of $1 is {"i" (its place in
// the batch), "hash" (the presented token, hex), "client_id", "access" and "refresh" (the new
// hashes, hex), "ttl" (seconds), "type", "address", "request_id", "details"}.
// f locks each live family of the client before any of its tokens, in id order, as
// kFamilyTouch does (a prune deletes a family and then its tokens): FOR NO KEY UPDATE re-checks
// the row after waiting, so a family revoked, expired or pruned meanwhile is left out. rt is
// the compare-and-set of kRefreshTokenRetire; two requests of one batch presenting the same
// token update it once, so one wins. Rows left out are not returned: the grant decides them.
inline constexpr Statement kRefreshRotateBatch{
    "refresh_rotate_batch",
    "WITH x AS MATERIALIZED (SELECT * FROM json_to_recordset($1::json) AS x(i int, hash text,"
    "  client_id text, access text, refresh text, ttl bigint, type text, address text,"
    "  request_id text, details text)),"
    " p AS MATERIALIZED (SELECT x.i, x.client_id, t.id AS token_id, t.family_id FROM x"
    "  JOIN refresh_tokens t ON t.token_hash = decode(x.hash, 'hex')"
    "  WHERE t.used_at IS NULL AND t.revoked_at IS NULL),"
    " f AS MATERIALIZED (SELECT fam.id, fam.client_id, fam.user_id, fam.scopes, fam.resources,"
    "  fam.expires_at FROM token_families fam LEFT JOIN users u ON u.id = fam.user_id"
    "  WHERE (fam.id, fam.client_id) IN (SELECT family_id, client_id FROM p)"
    "  AND fam.revoked_at IS NULL AND fam.expires_at > now() AND (fam.idle_ttl_seconds = 0"
    "  OR fam.last_used_at + make_interval(secs => fam.idle_ttl_seconds) > now())"
    "  AND (fam.user_id IS NULL OR u.disabled_at IS NULL) ORDER BY fam.id FOR NO KEY UPDATE OF "
    "fam),"
    " touch AS (UPDATE token_families fam SET last_used_at = now() FROM f WHERE fam.id = f.id),"
    " rt AS (UPDATE refresh_tokens t SET used_at = now()"
    "  FROM p JOIN f ON f.id = p.family_id AND f.client_id = p.client_id"
    "  WHERE t.id = p.token_id AND t.used_at IS NULL AND t.revoked_at IS NULL"
    "  RETURNING p.i, t.id AS parent_id, t.family_id),"
    " n AS MATERIALIZED (SELECT x.i, x.access, x.refresh, x.ttl, x.type, x.address,"
    "  x.request_id, x.details, rt.parent_id, f.id AS family_id, f.client_id, f.user_id,"
    "  f.scopes, f.resources, f.expires_at FROM rt JOIN x ON x.i = rt.i"
    "  JOIN f ON f.id = rt.family_id),"
    " a AS (INSERT INTO access_tokens (token_hash, family_id, client_id, user_id, scopes,"
    "  expires_at, audience) SELECT decode(access, 'hex'), family_id, client_id, user_id,"
    "  scopes, least(expires_at, now() + make_interval(secs => ttl)), resources FROM n"
    "  RETURNING token_hash, round(extract(epoch FROM expires_at - now()))::bigint AS expires_in),"
    " r AS (INSERT INTO refresh_tokens (token_hash, family_id, parent_id)"
    "  SELECT decode(refresh, 'hex'), family_id, parent_id FROM n),"
    " e AS (INSERT INTO audit_events (type, user_id, client_id, actor, subject, client_address,"
    "  request_id, details) SELECT type, user_id, client_id, coalesce(user_id::text, client_id),"
    "  'family:' || family_id, nullif(address, ''), nullif(request_id, ''), details::jsonb"
    "  FROM n)"
    " SELECT n.i, n.family_id, a.expires_in, array_to_string(n.scopes, ' '),"
    " array_to_string(n.resources, ' ') FROM n JOIN a ON a.token_hash = decode(n.access, 'hex')"};
// A rotation in doubt: which of these access token hashes ($1, hex, space-separated) are
// stored, with what the rotation answered.
inline constexpr Statement kRotatedFind{
    "rotated_find",
    "SELECT encode(token_hash, 'hex'), family_id,"
    " greatest(round(extract(epoch FROM expires_at - now())), 0)::bigint,"
    " array_to_string(scopes, ' '), array_to_string(audience, ' ') FROM access_tokens"
    " WHERE token_hash = ANY(SELECT decode(h, 'hex') FROM unnest(string_to_array($1, ' ')) h)"};

inline constexpr Statement kConsentFind{"consent_find",
                                        "SELECT array_to_string(scopes, ' '),"
                                        " array_to_string(resources, ' ') FROM consents WHERE "
                                        "user_id = $1::uuid AND client_id = $2"};
inline constexpr Statement kConsentSave{
    "consent_save",
    "INSERT INTO consents (user_id, client_id, scopes, resources) VALUES ($1::uuid, $2,"
    " coalesce(string_to_array(nullif($3, ''), ' '), '{}'),"
    " coalesce(string_to_array(nullif($4, ''), ' '), '{}')) ON CONFLICT (user_id, client_id)"
    " DO UPDATE SET scopes = EXCLUDED.scopes, resources = EXCLUDED.resources, granted_at = now()"};

inline constexpr Statement kAuditRecord{
    "audit_record",
    "INSERT INTO audit_events (type, user_id, client_id, actor, subject, client_address,"
    " request_id, details, org_id) VALUES ($1, nullif($2, '')::uuid, nullif($3, ''),"
    " nullif($4, ''), nullif($5, ''), nullif($6, ''), nullif($7, ''), $8::jsonb,"
    " nullif($9, '')::uuid)"};

// The audit trail, newest first, keyset on id. An organization's list is served by
// audit_events_org (org_id, id DESC), or audit_events_org_type (0012) with a type; the
// operator's list of everyone (or of one user, by audit_events_user) by the primary key or
// audit_events_type. Absent filters are NULL.
#define OAKGATE_AUDIT_COLUMNS                                                                \
  "id, floor(extract(epoch FROM created_at))::bigint AS created, type,"                      \
  " coalesce(user_id::text, '') AS user_id, coalesce(org_id::text, '') AS org_id,"           \
  " coalesce(client_id, '') AS client_id,"                                                   \
  " coalesce(actor, '') AS actor, coalesce(subject, '') AS subject,"                         \
  " coalesce(client_address, '') AS client_address, coalesce(request_id, '') AS request_id," \
  " details::text AS details"
#define OAKGATE_AUDIT_FILTERS                                           \
  " AND ($2::text IS NULL OR type = $2::text)"                          \
  " AND ($3::bigint IS NULL OR created_at >= to_timestamp($3::bigint))" \
  " AND ($4::bigint IS NULL OR created_at < to_timestamp($4::bigint))"  \
  " AND ($5::bigint IS NULL OR id < $5::bigint) ORDER BY id DESC LIMIT $6::bigint"
inline constexpr Statement kAuditListForOrg{
    "audit_list_for_org", "SELECT " OAKGATE_AUDIT_COLUMNS
                          " FROM audit_events WHERE org_id = $1::uuid" OAKGATE_AUDIT_FILTERS};
// The chain for `oakgate audit verify`, in its order (the primary key), a page at a time.
inline constexpr Statement kAuditChainPage{
    "audit_chain_page",
    "SELECT id, coalesce(encode(prev_hash, 'hex'), ''), coalesce(encode(hash, 'hex'), ''),"
    " audit_event_content(e) FROM audit_events e WHERE id > $1 ORDER BY id LIMIT $2"};
inline constexpr Statement kAuditChainHead{
    "audit_chain_head", "SELECT last_id, encode(hash, 'hex') FROM audit_chain_head"};
inline constexpr Statement kAuditListAll{
    "audit_list_all",
    "SELECT " OAKGATE_AUDIT_COLUMNS
    " FROM audit_events WHERE ($1::uuid IS NULL OR user_id = $1::uuid)" OAKGATE_AUDIT_FILTERS};
#undef OAKGATE_AUDIT_COLUMNS
#undef OAKGATE_AUDIT_FILTERS

inline constexpr Statement kClientAuthFailureCounts{
    "client_auth_failure_counts",
    "WITH w AS (SELECT now() - make_interval(secs => $3::bigint) AS since)"
    " SELECT c.n, c.retry, a.n, a.retry FROM w,"
    " LATERAL (SELECT count(*) AS n, coalesce(ceil(extract(epoch FROM"
    "   min(failed_at) - w.since)), 0)::bigint AS retry FROM client_auth_failures"
    "   WHERE client_id = $1 AND failed_at > w.since) c,"
    " LATERAL (SELECT count(*) AS n, coalesce(ceil(extract(epoch FROM"
    "   min(failed_at) - w.since)), 0)::bigint AS retry FROM client_auth_failures"
    "   WHERE client_address = $2 AND failed_at > w.since) a"};
inline constexpr Statement kClientAuthFailureRecord{
    "client_auth_failure_record",
    "INSERT INTO client_auth_failures (client_id, client_address) VALUES ($1, $2)"
    " RETURNING id"};
inline constexpr Statement kClientAuthFailureForget{
    "client_auth_failure_forget", "DELETE FROM client_auth_failures WHERE id = $1"};

// --- Resources (RFC 8707) and dynamic client registration (RFC 7591) --------------------
#define OAKGATE_RESOURCE_COLUMNS                                                         \
  "r.uri, r.name, array_to_string(r.scopes, ' ') AS scopes,"                             \
  " coalesce((SELECT string_agg(i.client_id, ' ' ORDER BY i.client_id)"                  \
  "  FROM resource_introspectors i WHERE i.resource_uri = r.uri), '') AS introspectors," \
  " extract(epoch FROM r.created_at)::bigint AS created"
inline constexpr Statement kResourceCreate{
    "resource_create",
    "INSERT INTO resources (uri, name, scopes) VALUES ($1, $2,"
    " coalesce(string_to_array(nullif($3, ''), ' '), '{}'))"
    " ON CONFLICT (uri) DO NOTHING RETURNING uri"};
inline constexpr Statement kResourceIntrospectorAdd{
    "resource_introspector_add",
    "INSERT INTO resource_introspectors (resource_uri, client_id) VALUES ($1, $2)"
    " ON CONFLICT DO NOTHING"};
inline constexpr Statement kResourceList{
    "resource_list", "SELECT " OAKGATE_RESOURCE_COLUMNS " FROM resources r ORDER BY r.uri"};
inline constexpr Statement kResourceFindMany{
    "resource_find_many", "SELECT " OAKGATE_RESOURCE_COLUMNS
                          " FROM resources r WHERE r.uri = ANY(string_to_array($1, ' '))"};
#undef OAKGATE_RESOURCE_COLUMNS
inline constexpr Statement kResourceDelete{"resource_delete",
                                           "DELETE FROM resources WHERE uri = $1"};
inline constexpr Statement kResourceAllScopes{
    "resource_all_scopes",
    "SELECT coalesce(string_agg(DISTINCT s, ' '), '') FROM resources, unnest(scopes) AS s"};
inline constexpr Statement kRegistrationTokenCreate{
    "registration_token_create",
    "INSERT INTO registration_tokens (token_hash, name, expires_at)"
    " VALUES ($1, $2, now() + make_interval(secs => $3::bigint))"
    " RETURNING extract(epoch FROM expires_at)::bigint AS expires"};
inline constexpr Statement kRegistrationTokenFind{
    "registration_token_find",
    "SELECT token_hash FROM registration_tokens WHERE token_hash = $1 AND expires_at > now()"};
// Counted and recorded in one statement; an attempt over the limit is not recorded.
inline constexpr Statement kRegistrationAttempt{
    "registration_attempt",
    "WITH w AS (SELECT count(*) AS n, min(attempted_at) AS oldest FROM registration_attempts"
    "   WHERE client_address = $1 AND attempted_at > now() - make_interval(secs => $2::bigint)),"
    " ins AS (INSERT INTO registration_attempts (client_address) SELECT $1 FROM w"
    "   WHERE w.n < $3::bigint RETURNING id)"
    " SELECT w.n < $3::bigint AS allowed, coalesce(ceil(extract(epoch FROM w.oldest"
    "   + make_interval(secs => $2::bigint) - now())), 0)::bigint AS retry FROM w"};
inline constexpr Statement kPruneRegisteredClients{
    "prune_registered_clients",
    "DELETE FROM clients WHERE id IN (SELECT id FROM clients WHERE is_registered"
    " AND last_used_at IS NULL AND created_at < now() - make_interval(secs => $2::bigint)"
    " LIMIT $1)"};
inline constexpr Statement kPruneRegistrationAttempts{
    "prune_registration_attempts",
    "DELETE FROM registration_attempts WHERE id IN (SELECT id FROM registration_attempts"
    " WHERE attempted_at < now() - make_interval(secs => $2::bigint) LIMIT $1)"};
inline constexpr Statement kPruneRegistrationTokens{
    "prune_registration_tokens",
    "DELETE FROM registration_tokens WHERE id IN (SELECT id FROM registration_tokens"
    " WHERE expires_at < now() LIMIT $1)"};
// --- The dashboard (issue 9): every statement is scoped by the owner ($1 user_id) --------
inline constexpr Statement kSessionListForUser{
    "session_list_for_user",
    "SELECT id, floor(extract(epoch FROM created_at))::bigint AS created,"
    " floor(extract(epoch FROM last_seen_at))::bigint AS last_seen,"
    " floor(extract(epoch FROM least(expires_at, idle_expires_at)))::bigint AS expires,"
    " client_address, user_agent FROM sessions WHERE user_id = $1::uuid AND ended_at IS NULL"
    " AND expires_at > now() AND idle_expires_at > now() ORDER BY last_seen_at DESC, id DESC"};
inline constexpr Statement kSessionEndForUser{
    "session_end_for_user",
    "UPDATE sessions SET ended_at = now(), idle_expires_at = least(idle_expires_at, now())"
    " WHERE id = $2 AND user_id = $1::uuid AND ended_at IS NULL"};
// The dashboard's one-time slot for a new key (sql/0008): written after the key, taken
// (read and emptied in one statement, so two tabs cannot both show it) by the page the POST
// redirects to. Writing also drops the session's slots that are past their 10 minutes.
inline constexpr Statement kRevealDropStale{"reveal_drop_stale",
                                            "DELETE FROM dashboard_reveals WHERE session_id = $1"
                                            " AND created_at <= now() - interval '10 minutes'"};
inline constexpr Statement kRevealPut{
    "reveal_put",
    "INSERT INTO dashboard_reveals (session_id, key_id, sealed) VALUES ($1, $2, $3)"
    " ON CONFLICT (session_id, key_id) DO UPDATE SET sealed = excluded.sealed, created_at = now()"};
inline constexpr Statement kRevealTake{
    "reveal_take",
    "DELETE FROM dashboard_reveals WHERE session_id = $1 AND key_id = $2"
    " RETURNING sealed, created_at > now() - interval '10 minutes' AS fresh"};
inline constexpr Statement kPruneReveals{
    "prune_reveals",
    "DELETE FROM dashboard_reveals WHERE (session_id, key_id) IN (SELECT session_id, key_id"
    " FROM dashboard_reveals WHERE created_at <= now() - interval '10 minutes' LIMIT $1)"};
inline constexpr Statement kGrantList{
    "grant_list",
    "SELECT f.id, f.client_id, c.name, array_to_string(f.scopes, ' ') AS scopes,"
    " floor(extract(epoch FROM f.created_at))::bigint AS created,"
    " floor(extract(epoch FROM f.last_used_at))::bigint AS last_used,"
    " floor(extract(epoch FROM f.expires_at))::bigint AS expires"
    " FROM token_families f JOIN clients c ON c.id = f.client_id"
    " WHERE f.user_id = $1::uuid AND f.revoked_at IS NULL AND f.expires_at > now()"
    " ORDER BY f.client_id, f.id DESC"};
inline constexpr Statement kGrantRevokeForUser{
    "grant_revoke_for_user",
    "UPDATE token_families SET revoked_at = now(), revoked_reason = $3"
    " WHERE id = $2 AND user_id = $1::uuid AND revoked_at IS NULL"};
inline constexpr Statement kFamiliesRevokeForUser{
    "families_revoke_for_user",
    "UPDATE token_families SET revoked_at = now(), revoked_reason = $2"
    " WHERE user_id = $1::uuid AND revoked_at IS NULL"};
// An unused code was obtained through a session; it expires with the sessions, so it cannot
// start a new family after they ended (a redemption then is invalid_grant and revokes nothing).
inline constexpr Statement kCodesExpireForUser{
    "codes_expire_for_user",
    "UPDATE authorization_codes SET expires_at = now()"
    " WHERE user_id = $1::uuid AND used_at IS NULL AND expires_at > now()"};
inline constexpr Statement kApiKeysRevokeForUser{
    "api_keys_revoke_for_user",
    "UPDATE api_keys SET revoked_at = now() WHERE user_id = $1::uuid AND revoked_at IS NULL"};
inline constexpr Statement kUserDisableById{
    "user_disable_by_id",
    "UPDATE users SET disabled_at = coalesce(disabled_at, now()), updated_at = now()"
    " WHERE id = $1::uuid RETURNING id"};
inline constexpr Statement kUserList{
    "user_list",
    "SELECT id::text AS id, email, is_admin, disabled_at IS NOT NULL AS disabled,"
    " floor(extract(epoch FROM created_at))::bigint AS created FROM users ORDER BY email"};
inline constexpr Statement kDecisionFind{
    "decision_find",
    "SELECT id::text AS id, seq, org_id::text AS org_id, agent_id::text AS agent_id, key_id,"
    " tool, scope, allowed,"
    " reason, rule_id::text AS rule_id, reasoning, reasoning_required, reasoning_provided,"
    " context::text AS context, request_id, approval_id::text AS approval_id,"
    " floor(extract(epoch FROM created_at))::bigint AS created FROM decisions"
    " WHERE id = $2::uuid AND org_id = $1::uuid"};
// Weeks start on Monday 00:00 UTC, days at 00:00 UTC (decisions_org_time, 0012).
#define OAKGATE_UTC_WEEK "(date_trunc('week', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"
#define OAKGATE_UTC_DAY "(date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"
inline constexpr Statement kSummaryCounts{
    "summary_counts",
    "SELECT allowed, coalesce(reason, '') AS reason,"
    " count(*) FILTER (WHERE created_at >= " OAKGATE_UTC_DAY
    ") AS today, count(*) AS week"
    " FROM decisions WHERE org_id = $1::uuid AND created_at >= " OAKGATE_UTC_WEEK
    " GROUP BY 1, 2 ORDER BY 1 DESC, 2"};
inline constexpr Statement kSummaryRateLimited{
    "summary_rate_limited",
    "SELECT coalesce(sum(r.count) FILTER (WHERE r.minute >= " OAKGATE_UTC_DAY
    "), 0)::bigint,"
    " coalesce(sum(r.count), 0)::bigint FROM rate_limited_counts r"
    " JOIN agents a ON a.id = r.agent_id WHERE a.org_id = $1::uuid"
    " AND r.minute >= " OAKGATE_UTC_WEEK};
inline constexpr Statement kSummaryBusiest{
    "summary_busiest",
    "SELECT a.id::text AS id, a.name, count(*) AS n FROM decisions d"
    " JOIN agents a ON a.id = d.agent_id WHERE d.org_id = $1::uuid"
    " AND d.created_at >= " OAKGATE_UTC_WEEK
    " GROUP BY a.id, a.name ORDER BY n DESC, a.name LIMIT 5"};
inline constexpr Statement kSummaryHours{
    "summary_hours",
    "SELECT floor(extract(epoch FROM date_trunc('hour', now())))::bigint AS now_hour,"
    " h.hour, h.allowed, h.denied FROM (SELECT"
    " floor(extract(epoch FROM date_trunc('hour', created_at)))::bigint AS hour,"
    " count(*) FILTER (WHERE allowed) AS allowed, count(*) FILTER (WHERE NOT allowed) AS denied"
    " FROM decisions WHERE org_id = $1::uuid"
    " AND created_at >= date_trunc('hour', now()) - interval '23 hours' GROUP BY 1) h"
    " RIGHT JOIN (SELECT 1) one ON true ORDER BY h.hour"};
#undef OAKGATE_UTC_WEEK
#undef OAKGATE_UTC_DAY

// The migrator's own statements (store/pg/migrator.cpp); the migrations themselves are
// scripts of several statements, compiled into the binary, and go as one simple query.
inline constexpr Statement kMigrationLock{"migration_lock", "SELECT pg_advisory_lock($1::bigint)"};
inline constexpr Statement kMigrationUnlock{"migration_unlock",
                                            "SELECT pg_advisory_unlock($1::bigint)"};
inline constexpr Statement kMigrationTableCreate{
    "migration_table_create",
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"};
inline constexpr Statement kMigrationTableExists{
    "migration_table_exists", "SELECT to_regclass('schema_migrations') IS NOT NULL"};
inline constexpr Statement kMigrationVersions{"migration_versions",
                                              "SELECT version FROM schema_migrations"};
inline constexpr Statement kMigrationRecord{"migration_record",
                                            "INSERT INTO schema_migrations (version) VALUES ($1)"};
inline constexpr Statement kMigrationsApplied{
    "migrations_applied",
    "SELECT count(*) FROM schema_migrations WHERE version = ANY(string_to_array($1, ' '))"};

// Cache invalidation markers (cache/invalidation.hpp); the triggers of
// sql/0004_cache_invalidation.sql send the invalidations themselves.
inline constexpr Statement kNotify{"notify", "SELECT pg_notify($1, $2)"};

// --- Legacy JWT bridge (CONTRACT §12) ---------------------------------------------------
// The user a legacy token names: by normalised email, or by id ($2, NULL unless a UUID).
inline constexpr Statement kLegacyUserFind{
    "legacy_user_find",
    "SELECT id::text AS id, email, disabled_at IS NOT NULL AS disabled FROM users"
    " WHERE email_normalized = $1 OR id = $2::uuid LIMIT 1"};
// Single use of an exchanged JWT: the one INSERT that wins; a replay inserts nothing.
inline constexpr Statement kLegacyJwtUse{
    "legacy_jwt_use",
    "INSERT INTO legacy_jwt_uses (replay_key, expires_at) VALUES ($1, to_timestamp($2))"
    " ON CONFLICT (replay_key) DO NOTHING RETURNING 1"};
inline constexpr Statement kPruneLegacyJwtUses{
    "prune_legacy_jwt_uses",
    "DELETE FROM legacy_jwt_uses WHERE replay_key IN (SELECT replay_key FROM legacy_jwt_uses"
    " WHERE expires_at < now() LIMIT $1)"};

// Invitations (CONTRACT §9). Found by the SHA-256 of their token; the organization's name
// comes along for the invitation page.
#define OAKGATE_INVITATION_COLUMNS                                                   \
  "i.id::text AS id, i.org_id::text AS org_id, o.name AS org_name, i.email, i.role," \
  " coalesce(i.invited_by::text, '') AS invited_by,"                                 \
  " extract(epoch FROM i.created_at)::bigint AS created,"                            \
  " extract(epoch FROM i.expires_at)::bigint AS expires,"                            \
  " extract(epoch FROM i.accepted_at)::bigint AS accepted,"                          \
  " extract(epoch FROM i.revoked_at)::bigint AS revoked"
// Nothing when a user with that email is a member already.
inline constexpr Statement kInvitationCreate{
    "invitation_create",
    "WITH i AS (INSERT INTO org_invitations (org_id, email, email_normalized, role, token_hash,"
    " invited_by, expires_at) SELECT $1::uuid, $2, $3, $4, $5, $6::uuid, to_timestamp($7::bigint)"
    " WHERE NOT EXISTS (SELECT 1 FROM org_members m JOIN users u ON u.id = m.user_id"
    "  WHERE m.org_id = $1::uuid AND u.email_normalized = $3) RETURNING *)"
    " SELECT " OAKGATE_INVITATION_COLUMNS " FROM i JOIN organizations o ON o.id = i.org_id"};
inline constexpr Statement kInvitationList{
    "invitation_list", "SELECT " OAKGATE_INVITATION_COLUMNS
                       " FROM org_invitations i"
                       " JOIN organizations o ON o.id = i.org_id WHERE i.org_id = $1::uuid"
                       " ORDER BY i.created_at DESC, i.id LIMIT $2"};
inline constexpr Statement kInvitationFind{
    "invitation_find",
    "SELECT " OAKGATE_INVITATION_COLUMNS
    " FROM org_invitations i"
    " JOIN organizations o ON o.id = i.org_id WHERE i.org_id = $1::uuid AND i.id = $2::uuid"};
inline constexpr Statement kInvitationFindByToken{
    "invitation_find_by_token", "SELECT " OAKGATE_INVITATION_COLUMNS
                                " FROM org_invitations i"
                                " JOIN organizations o ON o.id = i.org_id WHERE i.token_hash = $1"};
#undef OAKGATE_INVITATION_COLUMNS
inline constexpr Statement kInvitationRevoke{
    "invitation_revoke",
    "UPDATE org_invitations SET revoked_at = now() WHERE org_id = $1::uuid AND id = $2::uuid"
    " AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id::text"};
// Acceptance's row lock: a second acceptance of the same token waits here, then sees it used.
inline constexpr Statement kInvitationLock{
    "invitation_lock",
    "SELECT id::text, org_id::text, role, email_normalized,"
    " accepted_at IS NULL AND revoked_at IS NULL AND expires_at > to_timestamp($2::bigint)"
    " AS pending FROM org_invitations WHERE token_hash = $1 FOR UPDATE"};
inline constexpr Statement kInvitationJoin{
    "invitation_join",
    "INSERT INTO org_members (org_id, user_id, role) VALUES ($1::uuid, $2::uuid, $3)"
    " ON CONFLICT (org_id, user_id) DO NOTHING"};
inline constexpr Statement kInvitationMarkAccepted{
    "invitation_mark_accepted",
    "UPDATE org_invitations SET accepted_at = now(), accepted_by = $2::uuid WHERE id = $1::uuid"};

inline constexpr Statement kAll[] = {
    kNotify,
    kUserByEmail,
    kUserCreate,
    kUserSetPassword,
    kUserDisable,
    kSessionsEndForUser,
    kClientFind,
    kClientList,
    kClientCreate,
    kClientUpdate,
    kClientDelete,
    kClientRotateSecret,
    kSessionCreate,
    kSessionFindActive,
    kSessionEnd,
    kLoginFailureCounts,
    kThrottleLock,
    kLoginFailureRecord,
    kLoginFailureClear,
    kAccessTokenFindActive,
    kPruneSessions,
    kPruneLoginFailures,
    kPruneClientAuthFailures,
    kPruneCodes,
    kPruneFamilies,
    kPruneAccessTokens,
    kPruneDecisions,
    kPruneRateLimitedCounts,
    kPruneAuditEvents,
    // API keys, agents and the validation engine.
    kOrgMembership,
    kOrgPersonal,
    kOrgListForUser,
    kOrgFind,
    kOrgList,
    kOrgCreate,
    kOrgUpdate,
    kOrgDelete,
    kOrgSetLimits,
    kOrgLock,
    kOrgMemberList,
    kOrgMemberAdd,
    kOrgMemberRole,
    kOrgMemberSetRole,
    kOrgMemberRemove,
    kAgentLimitLock,
    kAgentCount,
    kAgentCreate,
    kAgentFind,
    kAgentFindByName,
    kAgentList,
    kAgentUpdate,
    kAgentDelete,
    kToolList,
    kToolFind,
    kToolCreate,
    kToolUpdate,
    kToolDelete,
    kRuleList,
    kRuleFind,
    kRuleCreate,
    kRuleUpdate,
    kRuleDelete,
    kPolicySlice,
    kApiKeyInsert,
    kApiKeyVerify,
    kApiKeyFindInOrg,
    kApiKeyList,
    kApiKeyRevoke,
    kApiKeyExpireForRotation,
    kApiKeyTouch,
    kClientCredentialsIssue,
    kDecisionInsertBatch,
    kDecisionExisting,
    kRefusalsAdd,
    kRateBucketLease,
    kOrgLimits,
    kUsageAgents,
    kUsageDays,
    kQuotaLease,
    kDecisionList,
    kCodeCreate,
    kCodeFind,
    kCodeRedeem,
    kFamilyCreate,
    kFamilyTouch,
    kFamilyRevoke,
    kAccessTokenCreate,
    kAccessTokenStored,
    kAccessTokenOwner,
    kAccessTokenRevoke,
    kRefreshTokenCreate,
    kRefreshTokenFind,
    kRefreshTokenRetire,
    kRefreshTokenRetireUnused,
    kRefreshRotateBatch,
    kRotatedFind,
    kConsentFind,
    kConsentSave,
    kAuditRecord,
    kAuditListForOrg,
    kAuditListAll,
    kAuditChainPage,
    kAuditChainHead,
    kSessionListForUser,
    kSessionEndForUser,
    kRevealDropStale,
    kRevealPut,
    kRevealTake,
    kPruneReveals,
    kGrantList,
    kGrantRevokeForUser,
    kFamiliesRevokeForUser,
    kCodesExpireForUser,
    kApiKeysRevokeForUser,
    kUserDisableById,
    kUserList,
    kDecisionFind,
    kSummaryCounts,
    kSummaryRateLimited,
    kSummaryBusiest,
    kSummaryHours,
    kClientAuthFailureCounts,
    kClientAuthFailureRecord,
    kClientAuthFailureForget,
    kClientMarkUsed,
    kResourceCreate,
    kResourceIntrospectorAdd,
    kResourceList,
    kResourceFindMany,
    kResourceDelete,
    kResourceAllScopes,
    kRegistrationTokenCreate,
    kRegistrationTokenFind,
    kRegistrationAttempt,
    kPruneRegisteredClients,
    kPruneRegistrationAttempts,
    kPruneRegistrationTokens,
    kMigrationLock,
    kMigrationUnlock,
    kMigrationTableCreate,
    kMigrationTableExists,
    kMigrationVersions,
    kMigrationRecord,
    kMigrationsApplied,
    // Invitations
    kInvitationCreate,
    kInvitationList,
    kApprovalExpireStale,
    kApprovalOpen,
    kApprovalFindPending,
    kApprovalLockForUse,
    kApprovalMarkUsed,
    kApprovalFindForAgent,
    kApprovalFind,
    kApprovalList,
    kApprovalLockForDecision,
    kApprovalDecide,
    kWebhookCreate,
    kWebhookList,
    kWebhookFind,
    kWebhookUpdate,
    kWebhookDelete,
    kWebhookRotate,
    kWebhookDeliveries,
    kWebhookRetry,
    kWebhookClaim,
    kWebhookLive,
    kWebhookSucceeded,
    kWebhookFailed,
    kWebhookRelease,
    kWebhookQueue,
    kInvitationFind,
    kInvitationFindByToken,
    kInvitationRevoke,
    kInvitationLock,
    kInvitationJoin,
    kInvitationMarkAccepted,
    // Legacy JWT bridge
    kLegacyUserFind,
    kLegacyJwtUse,
    kPruneLegacyJwtUses,
};

}  // namespace oakgate::store::pg::sql
