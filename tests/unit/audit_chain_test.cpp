// The walk of `oakgate audit verify` over the audit trail's hash chain, on rows made here with
// the chain's rule: hash = SHA-256(prev_hash || content).
#include "gateway/manage/audit_chain.hpp"

#include <gtest/gtest.h>

#include "gateway/crypto/sha256.hpp"

namespace oakgate::manage {
namespace {

std::string Bytes(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

// `n` rows chained from the genesis, ids 10, 20, ...
std::vector<store::AuditLink> Chain(int n) {
  std::vector<store::AuditLink> rows;
  std::string prev = kAuditGenesisHex;
  for (int i = 1; i <= n; ++i) {
    store::AuditLink row;
    row.id = 10 * i;
    row.content =
        "[" + std::to_string(row.id) + ", \"api_key.created\", {\"n\": " + std::to_string(i) + "}]";
    row.prev_hash = prev;
    row.hash = crypto::ToHex(crypto::Sha256(Bytes(prev) + row.content));
    prev = row.hash;
    rows.push_back(row);
  }
  return rows;
}

store::AuditChainHead HeadOf(const std::vector<store::AuditLink>& rows) {
  return {rows.back().id, rows.back().hash};
}

AuditChainVerdict Walk(const std::vector<store::AuditLink>& rows,
                       const std::optional<store::AuditChainHead>& head) {
  AuditChainCheck check;
  for (const auto& row : rows) check.Add(row);
  return check.Finish(head);
}

TEST(AuditChain, ACleanChainHoldsAndIsCounted) {
  auto rows = Chain(5);
  AuditChainVerdict v = Walk(rows, HeadOf(rows));
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.rows, 5);
}

TEST(AuditChain, AChangedRowIsNamed) {
  auto rows = Chain(5);
  auto head = HeadOf(rows);
  rows[2].content = "[30, \"api_key.created\", {\"n\": 99}]";
  AuditChainVerdict v = Walk(rows, head);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_id, 30);
}

TEST(AuditChain, AChangedRowWithItsHashRecomputedBreaksTheNextLink) {
  auto rows = Chain(5);
  auto head = HeadOf(rows);
  rows[2].content = "forged";
  rows[2].hash = crypto::ToHex(crypto::Sha256(Bytes(rows[2].prev_hash) + rows[2].content));
  AuditChainVerdict v = Walk(rows, head);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_id, 40);
}

TEST(AuditChain, ARemovedRowIsFoundAtTheRowAfterIt) {
  auto rows = Chain(5);
  auto head = HeadOf(rows);
  rows.erase(rows.begin() + 1);
  AuditChainVerdict v = Walk(rows, head);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_id, 30);
}

TEST(AuditChain, RowsRemovedFromTheEndAreFoundByTheHead) {
  auto rows = Chain(5);
  auto head = HeadOf(rows);
  rows.pop_back();
  AuditChainVerdict v = Walk(rows, head);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_id, 40);
  EXPECT_FALSE(Walk(rows, std::nullopt).ok) << "a missing head never passes";
}

TEST(AuditChain, APrunedPrefixIsNoBreak) {
  auto rows = Chain(5);
  auto head = HeadOf(rows);
  rows.erase(rows.begin(), rows.begin() + 3);
  AuditChainVerdict v = Walk(rows, head);
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.rows, 2);
  EXPECT_TRUE(Walk({}, head).ok) << "everything pruned";
}

TEST(AuditChain, ARowWithoutHashesIsNamed) {
  auto rows = Chain(3);
  auto head = HeadOf(rows);
  rows[1].prev_hash = "";
  rows[1].hash = "";
  AuditChainVerdict v = Walk(rows, head);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_id, 20);
}

}  // namespace
}  // namespace oakgate::manage
