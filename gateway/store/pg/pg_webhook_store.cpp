#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {
namespace {

std::string Bytes(const pqxx::field& f) { return pqxx::binarystring(f).str(); }

WebhookEndpoint ReadEndpoint(const pqxx::row& row) {
  WebhookEndpoint e;
  e.id = row["id"].as<std::string>();
  e.org_id = row["org_id"].as<std::string>();
  e.url = row["url"].as<std::string>();
  e.description = row["description"].as<std::string>();
  e.events = ListField(row["events"]);
  e.enabled = row["enabled"].as<bool>();
  e.disabled_reason = OptionalText(row["disabled_reason"]);
  e.secret_sealed = Bytes(row["secret_sealed"]);
  if (!row["previous_sealed"].is_null()) e.previous_sealed = Bytes(row["previous_sealed"]);
  e.previous_until = OptionalInt(row["previous_until"]);
  e.created_at = row["created"].as<int64_t>();
  return e;
}

WebhookDelivery ReadDelivery(const pqxx::row& row) {
  WebhookDelivery d;
  d.id = row["id"].as<std::string>();
  d.event_id = row["event_id"].as<std::string>();
  d.endpoint_id = row["endpoint_id"].as<std::string>();
  d.type = row["type"].as<std::string>();
  d.status = row["status"].as<std::string>();
  d.attempts = row["attempts"].as<int64_t>();
  d.last_status = OptionalInt(row["last_status"]);
  d.last_error = OptionalText(row["last_error"]);
  d.next_attempt_at = OptionalInt(row["next_attempt"]);
  d.created_at = row["created_ms"].as<int64_t>() / 1000;
  d.created_ms = row["created_ms"].as<int64_t>();
  d.delivered_at = OptionalInt(row["delivered"]);
  return d;
}

DueDelivery ReadDue(const pqxx::row& row) {
  DueDelivery d;
  d.id = row["id"].as<std::string>();
  d.event_id = row["event_id"].as<std::string>();
  d.endpoint_id = row["endpoint_id"].as<std::string>();
  d.type = row["type"].as<std::string>();
  d.payload = row["payload"].as<std::string>();
  d.attempts = row["attempts"].as<int64_t>();
  d.created_ms = row["created_ms"].as<int64_t>();
  d.url = row["url"].as<std::string>();
  d.secret_sealed = Bytes(row["secret_sealed"]);
  if (!row["previous_sealed"].is_null()) d.previous_sealed = Bytes(row["previous_sealed"]);
  d.previous_until = OptionalInt(row["previous_until"]);
  return d;
}

}  // namespace

WebhookEndpoint PgWebhookStore::Create(const WebhookEndpoint& n, const AuditEvent& audit) {
  WebhookEndpoint created;
  AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent& event) {
    created =
        ReadEndpoint(tx.exec_prepared1(sql::kWebhookCreate.name, n.org_id, n.url, n.description,
                                       util::JoinList(n.events), Bytea(n.secret_sealed)));
    event.subject = "webhook:" + created.id;
    return WriteOutcome::kOk;
  });
  return created;
}

std::vector<WebhookEndpoint> PgWebhookStore::List(std::string_view org_id) {
  return QueryAll(db_, sql::kWebhookList, ReadEndpoint, std::string(org_id));
}

std::optional<WebhookEndpoint> PgWebhookStore::Find(std::string_view org_id, std::string_view id) {
  return QueryOne(db_, sql::kWebhookFind, ReadEndpoint, std::string(org_id), std::string(id));
}

bool PgWebhookStore::Update(const WebhookEndpoint& e, const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kWebhookUpdate, e.org_id, e.id, e.url, e.description,
                       util::JoinList(e.events), e.enabled) == WriteOutcome::kOk;
}

bool PgWebhookStore::Delete(std::string_view org_id, std::string_view id, const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kWebhookDelete, std::string(org_id), std::string(id)) ==
         WriteOutcome::kOk;
}

std::optional<WebhookEndpoint> PgWebhookStore::RotateSecret(std::string_view org_id,
                                                            std::string_view id,
                                                            const std::string& secret_sealed,
                                                            int64_t previous_until,
                                                            const AuditEvent& audit) {
  std::optional<WebhookEndpoint> rotated;
  AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent&) {
    auto r = tx.exec_prepared(sql::kWebhookRotate.name, std::string(org_id), std::string(id),
                              Bytea(secret_sealed), previous_until);
    if (r.empty()) return WriteOutcome::kNotFound;
    rotated = ReadEndpoint(r[0]);
    return WriteOutcome::kOk;
  });
  return rotated;
}

std::vector<WebhookDelivery> PgWebhookStore::ListDeliveries(
    std::string_view org_id, std::string_view endpoint_id, const std::optional<std::string>& before,
    int64_t limit) {
  std::optional<std::string> ms, id;
  if (before) {
    auto colon = before->find(':');
    ms = before->substr(0, colon);
    if (colon != std::string::npos) id = before->substr(colon + 1);
  }
  return QueryAll(db_, sql::kWebhookDeliveries, ReadDelivery, std::string(org_id),
                  std::string(endpoint_id), OrNull(ms), OrNull(id), limit);
}

std::optional<WebhookDelivery> PgWebhookStore::RetryDelivery(std::string_view org_id,
                                                             std::string_view endpoint_id,
                                                             std::string_view delivery_id,
                                                             int64_t now_ms,
                                                             const AuditEvent& audit) {
  std::optional<WebhookDelivery> retried;
  AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent&) {
    auto r = tx.exec_prepared(sql::kWebhookRetry.name, std::string(org_id),
                              std::string(endpoint_id), std::string(delivery_id), now_ms);
    if (r.empty()) return WriteOutcome::kNotFound;
    retried = ReadDelivery(r[0]);
    return WriteOutcome::kOk;
  });
  return retried;
}

std::vector<DueDelivery> PgWebhookStore::Claim(int64_t now_ms, int64_t lease_ms, int64_t limit,
                                               const std::vector<std::string>& busy) {
  return Transact(db_, [&](pqxx::work& tx) {
    std::vector<DueDelivery> out;
    for (const auto& row :
         tx.exec_prepared(sql::kWebhookClaim.name, now_ms, lease_ms, limit, util::JoinList(busy))) {
      out.push_back(ReadDue(row));
    }
    return out;
  });
}

bool PgWebhookStore::EndpointLive(std::string_view endpoint_id) {
  return QueryOne(
             db_, sql::kWebhookLive, [](const pqxx::row&) { return true; },
             std::string(endpoint_id))
      .has_value();
}

void PgWebhookStore::Succeeded(const DueDelivery& d, int64_t http_status, int64_t now_ms) {
  Autocommit(db_, [&](pqxx::nontransaction& tx) {
    tx.exec_prepared(sql::kWebhookSucceeded.name, d.id, http_status, now_ms);
  });
}

void PgWebhookStore::Failed(const DueDelivery& d, std::optional<int64_t> http_status,
                            const std::string& error, std::optional<int64_t> next_attempt_ms,
                            int64_t now_ms, int64_t disable_after_ms) {
  std::optional<std::string> status, next;
  if (http_status) status = std::to_string(*http_status);
  if (next_attempt_ms) next = std::to_string(*next_attempt_ms);
  Autocommit(db_, [&](pqxx::nontransaction& tx) {
    tx.exec_prepared(sql::kWebhookFailed.name, d.id, OrNull(status), error, OrNull(next), now_ms,
                     disable_after_ms);
  });
}

void PgWebhookStore::Release(const std::vector<std::string>& delivery_ids) {
  if (delivery_ids.empty()) return;
  Autocommit(db_, [&](pqxx::nontransaction& tx) {
    tx.exec_prepared(sql::kWebhookRelease.name, util::JoinList(delivery_ids));
  });
}

WebhookQueue PgWebhookStore::Queue(int64_t now_ms) {
  return QueryRow(
      db_, sql::kWebhookQueue,
      [](const pqxx::row& row) {
        return WebhookQueue{row["depth"].as<int64_t>(), row["oldest"].as<int64_t>()};
      },
      now_ms);
}

}  // namespace oakgate::store::pg
