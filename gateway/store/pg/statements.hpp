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
    "UPDATE sessions SET ended_at = now() WHERE user_id = $1::uuid AND ended_at IS NULL"};

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
    "UPDATE sessions SET ended_at = now() WHERE token_hash = $1 AND ended_at IS NULL"};

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

// --- OAuth: codes, families, tokens, consent, audit, client-auth throttling --------------
// Arrays are passed as space-separated text: coalesce(string_to_array(nullif($n, ''), ' '), '{}').
inline constexpr Statement kCodeCreate{
    "code_create",
    "INSERT INTO authorization_codes (code_hash, client_id, user_id, redirect_uri,"
    " redirect_uri_given, scopes, code_challenge, expires_at) VALUES ($1, $2, $3::uuid, $4, $5,"
    " coalesce(string_to_array(nullif($6, ''), ' '), '{}'), $7,"
    " now() + make_interval(secs => $8::bigint))"};
inline constexpr Statement kCodeFind{
    "code_find",
    "SELECT c.id, c.client_id, c.user_id::text, c.redirect_uri, c.redirect_uri_given,"
    " array_to_string(c.scopes, ' ') AS scopes, c.code_challenge, c.used_at IS NOT NULL AS used,"
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
    "INSERT INTO token_families (client_id, user_id, scopes, expires_at)"
    " VALUES ($1, nullif($2, '')::uuid, coalesce(string_to_array(nullif($3, ''), ' '), '{}'),"
    " now() + make_interval(secs => $4::bigint)) RETURNING id"};
inline constexpr Statement kFamilyTouch{
    "family_touch", "UPDATE token_families SET last_used_at = now() WHERE id = $1"};
inline constexpr Statement kFamilyRevoke{
    "family_revoke",
    "UPDATE token_families SET revoked_at = now(), revoked_reason = $2"
    " WHERE id = $1 AND revoked_at IS NULL"};
// An access token never outlives its family.
inline constexpr Statement kAccessTokenCreate{
    "access_token_create",
    "INSERT INTO access_tokens (token_hash, family_id, client_id, user_id, scopes, expires_at)"
    " SELECT $1, f.id, f.client_id, f.user_id,"
    " coalesce(string_to_array(nullif($2, ''), ' '), '{}'),"
    " least(f.expires_at, now() + make_interval(secs => $3::bigint))"
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
    " array_to_string(f.scopes, ' ') AS scopes,"
    " extract(epoch FROM f.created_at)::bigint AS family_created,"
    " extract(epoch FROM f.expires_at)::bigint AS family_expires,"
    " r.used_at IS NOT NULL AS retired,"
    " coalesce((extract(epoch FROM now() - r.used_at) * 1000)::bigint, 0) AS since_retired_ms,"
    " r.revoked_at IS NOT NULL AS revoked,"
    " (f.revoked_at IS NULL AND f.expires_at > now()"
    "  AND (f.user_id IS NULL OR u.disabled_at IS NULL)) AS family_active,"
    " (SELECT c.id FROM refresh_tokens c WHERE c.parent_id = r.id AND c.used_at IS NULL"
    "  AND c.revoked_at IS NULL ORDER BY c.id DESC LIMIT 1) AS child"
    " FROM refresh_tokens r JOIN token_families f ON f.id = r.family_id"
    " LEFT JOIN users u ON u.id = f.user_id WHERE r.token_hash = $1"};
// Rotation: retiring is a compare-and-set, like code redemption.
inline constexpr Statement kRefreshTokenRetire{
    "refresh_token_retire",
    "UPDATE refresh_tokens SET used_at = now()"
    " WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL RETURNING id"};
inline constexpr Statement kRefreshTokenRetireUnused{
    "refresh_token_retire_unused",
    "UPDATE refresh_tokens SET revoked_at = now()"
    " WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL RETURNING id"};

inline constexpr Statement kConsentFind{"consent_find",
                                        "SELECT array_to_string(scopes, ' ') FROM consents WHERE "
                                        "user_id = $1::uuid AND client_id = $2"};
inline constexpr Statement kConsentSave{
    "consent_save",
    "INSERT INTO consents (user_id, client_id, scopes) VALUES ($1::uuid, $2,"
    " coalesce(string_to_array(nullif($3, ''), ' '), '{}')) ON CONFLICT (user_id, client_id)"
    " DO UPDATE SET scopes = EXCLUDED.scopes, granted_at = now()"};

inline constexpr Statement kAuditRecord{
    "audit_record",
    "INSERT INTO audit_events (type, user_id, client_id, actor, subject, client_address,"
    " request_id, details) VALUES ($1, nullif($2, '')::uuid, nullif($3, ''), nullif($4, ''),"
    " nullif($5, ''), nullif($6, ''), nullif($7, ''), $8::jsonb)"};

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
    "INSERT INTO client_auth_failures (client_id, client_address) VALUES ($1, $2)"};

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
    kConsentFind,
    kConsentSave,
    kAuditRecord,
    kClientAuthFailureCounts,
    kClientAuthFailureRecord,
};

}  // namespace oakgate::store::pg::sql
