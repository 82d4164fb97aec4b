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
    "UPDATE users SET password_hash = $2, updated_at = now() WHERE email_normalized = $1"};
inline constexpr Statement kUserDisable{
    "user_disable",
    "UPDATE users SET disabled_at = coalesce(disabled_at, now()), updated_at = now()"
    " WHERE email_normalized = $1 RETURNING id"};
inline constexpr Statement kSessionsEndForUser{
    "sessions_end_for_user",
    "UPDATE sessions SET ended_at = now(), idle_expires_at = least(idle_expires_at, now())"
    " WHERE user_id = $1::uuid AND ended_at IS NULL"};

inline constexpr const char* kClientColumns =
    "id, name, secret_hash, previous_secret_hash,"
    " extract(epoch FROM previous_secret_expires_at)::bigint AS previous_expires,"
    " is_confidential, is_first_party, can_introspect,"
    " array_to_string(redirect_uris, ' ') AS redirect_uris,"
    " array_to_string(scopes, ' ') AS scopes, array_to_string(grant_types, ' ') AS grant_types,"
    " extract(epoch FROM created_at)::bigint AS created";
inline constexpr Statement kClientCreate{
    "client_create",
    "INSERT INTO clients (id, name, secret_hash, is_confidential, is_first_party, can_introspect,"
    " redirect_uris, scopes, grant_types) VALUES ($1, $2, $3, $4, $5, $6,"
    " coalesce(string_to_array(nullif($7, ''), ' '), '{}'),"
    " coalesce(string_to_array(nullif($8, ''), ' '), '{}'),"
    " coalesce(string_to_array(nullif($9, ''), ' '), '{}'))"
    " ON CONFLICT (id) DO NOTHING RETURNING id"};
inline constexpr Statement kClientUpdate{
    "client_update",
    "UPDATE clients SET name = $2, is_first_party = $3, can_introspect = $4,"
    " redirect_uris = coalesce(string_to_array(nullif($5, ''), ' '), '{}'),"
    " scopes = coalesce(string_to_array(nullif($6, ''), ' '), '{}'),"
    " grant_types = coalesce(string_to_array(nullif($7, ''), ' '), '{}'), updated_at = now()"
    " WHERE id = $1"};
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
    " WHERE token_hash = $1 AND ended_at IS NULL"};

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
inline constexpr Statement kLoginFailureRecord{
    "login_failure_record", "INSERT INTO login_failures (account, client_address) VALUES ($1, $2)"};
inline constexpr Statement kLoginFailureClear{
    "login_failure_clear", "DELETE FROM login_failures WHERE account = $1 AND client_address = $2"};

// One index lookup by hash; the family and user joins are by primary key.
inline constexpr Statement kAccessTokenFindActive{
    "access_token_find_active",
    "SELECT t.id, t.family_id, t.client_id, t.user_id::text, u.email,"
    " array_to_string(t.scopes, ' ') AS scopes,"
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
inline constexpr Statement kPruneAuditEvents{
    "prune_audit_events",
    "DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events"
    " WHERE created_at < now() - make_interval(days => $2::int) LIMIT $1)"};

inline constexpr Statement kMigrationsApplied{
    "migrations_applied",
    "SELECT count(*) FROM schema_migrations WHERE version = ANY(string_to_array($1, ' '))"};

inline constexpr Statement kAll[] = {
    kUserByEmail,
    kUserCreate,
    kUserSetPassword,
    kUserDisable,
    kSessionsEndForUser,
    kClientCreate,
    kClientUpdate,
    kClientDelete,
    kClientRotateSecret,
    kSessionCreate,
    kSessionFindActive,
    kSessionEnd,
    kLoginFailureCounts,
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
};

}  // namespace oakgate::store::pg::sql
