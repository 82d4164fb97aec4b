#include "gateway/manage/audit_chain.hpp"

#include "gateway/crypto/sha256.hpp"

namespace oakgate::manage {
namespace {

// Lower-case hex to bytes; nullopt for anything else.
std::optional<std::string> FromHex(const std::string& hex) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

void AuditChainCheck::Break(int64_t id, std::string reason) {
  verdict_.ok = false;
  verdict_.broken_id = id;
  verdict_.reason = std::move(reason);
}

void AuditChainCheck::Add(const store::AuditLink& row) {
  if (!verdict_.ok) return;
  ++verdict_.rows;
  auto prev = FromHex(row.prev_hash);
  if (!prev || prev->size() != 32 || row.hash.size() != 64) {
    return Break(row.id, "the row carries no chain hashes");
  }
  if (last_ && row.prev_hash != last_->hash) {
    return Break(row.id, "its prev_hash is not the hash of row " + std::to_string(last_->id) +
                             ", the row before it: a row between them was removed or changed");
  }
  std::string expected = crypto::ToHex(crypto::Sha256(*prev + row.content));
  if (expected != row.hash) {
    return Break(row.id, "its hash does not match its content: the row was changed");
  }
  last_ = row;
}

AuditChainVerdict AuditChainCheck::Finish(const std::optional<store::AuditChainHead>& head) {
  if (!verdict_.ok) return verdict_;
  if (!head) {
    verdict_.ok = false;
    verdict_.reason = "the chain's head row is missing";
    return verdict_;
  }
  if (!last_) {
    // Everything was pruned (or nothing was ever written): nothing to hold the head to.
    return verdict_;
  }
  if (head->last_id != last_->id || head->hash != last_->hash) {
    verdict_.ok = false;
    verdict_.broken_id = last_->id;
    verdict_.reason = "the chain ends at row " + std::to_string(last_->id) +
                      " but its head names row " + std::to_string(head->last_id) +
                      ": rows after it were removed";
  }
  return verdict_;
}

}  // namespace oakgate::manage
