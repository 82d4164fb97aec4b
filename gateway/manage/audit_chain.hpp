#pragma once
// `oakgate audit verify`: walks the audit trail's hash chain (sql/0011_audit_chain.sql) and
// finds the first row that does not hold. Pure: the rows come from store::AuditStore.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/store/audit_store.hpp"

namespace oakgate::manage {

// What a walk found: ok with the rows it checked, or the first broken row and why.
struct AuditChainVerdict {
  bool ok = true;
  int64_t rows = 0;
  std::optional<int64_t> broken_id;  // the first row that does not hold
  std::string reason;
};

class AuditChainCheck {
 public:
  // The next row in chain order. Each row's hash must be SHA-256(prev_hash || content), and
  // its prev_hash the hash of the row before it; the first row's prev_hash is taken on trust
  // (the rows before it were pruned, or it is the genesis). Rows after a break are ignored.
  void Add(const store::AuditLink& row);
  // After the last row: the newest row must be the one the head names (else rows were removed
  // from the end, or added without the chain).
  AuditChainVerdict Finish(const std::optional<store::AuditChainHead>& head);

 private:
  void Break(int64_t id, std::string reason);
  AuditChainVerdict verdict_;
  std::optional<store::AuditLink> last_;
};

// 32 zero bytes: prev_hash of the first row ever chained.
inline constexpr char kAuditGenesisHex[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

}  // namespace oakgate::manage
