#pragma once
// The PostgreSQL stores; each runs its statements on the calling thread's connection.
#include "gateway/store/database.hpp"

namespace oakgate::store::pg {

class PgDatabase;

// What every store holds: the database whose calling thread's connection it runs on.
class PgStore {
 public:
  explicit PgStore(PgDatabase& db) : db_(db) {}

 protected:
  PgDatabase& db_;
};

class PgUserStore : public UserStore, private PgStore {
 public:
  using PgStore::PgStore;
  std::optional<User> FindByEmail(std::string_view normalized_email) override;
  std::optional<User> Create(std::string_view email, std::string_view normalized_email,
                             std::string_view password_hash, bool is_admin,
                             const AuditEvent& audit) override;
  bool SetPassword(std::string_view normalized_email, std::string_view password_hash,
                   const AuditEvent& audit) override;
  bool Disable(std::string_view normalized_email, const AuditEvent& audit) override;
  bool DisableById(std::string_view user_id, const AuditEvent& audit) override;
  std::vector<UserSummary> List() override;
  void SignOutEverywhere(std::string_view user_id, const AuditEvent& audit) override;
};

class PgClientStore : public ClientStore, private PgStore {
 public:
  using PgStore::PgStore;
  bool Create(const Client& client, const AuditEvent& audit) override;
  std::optional<Client> Find(std::string_view id) override;
  std::vector<Client> List() override;
  bool Delete(std::string_view id, const AuditEvent& audit) override;
  bool Update(const Client& client, const AuditEvent& audit) override;
  bool RotateSecret(std::string_view id, std::string_view new_secret_hash, int64_t grace_seconds,
                    const AuditEvent& audit) override;
};

class PgSessionStore : public SessionStore, private PgStore {
 public:
  using PgStore::PgStore;
  void Create(std::string_view token_hash, std::string_view user_id, int64_t ttl_seconds,
              int64_t idle_ttl_seconds, std::string_view client_address,
              std::string_view user_agent, const AuditEvent& audit) override;
  std::optional<Session> FindActive(std::string_view token_hash, int64_t idle_ttl_seconds) override;
  void End(std::string_view token_hash, const AuditEvent& audit) override;
  std::vector<SessionInfo> ListForUser(std::string_view user_id) override;
  bool EndForUser(std::string_view user_id, int64_t session_id, const AuditEvent& audit) override;
  void PutReveal(int64_t session_id, std::string_view key_id, std::string_view sealed) override;
  std::optional<std::string> TakeReveal(int64_t session_id, std::string_view key_id) override;
};

class PgThrottleStore : public ThrottleStore, private PgStore {
 public:
  using PgStore::PgStore;
  bool TryLoginAttempt(std::string_view account, std::string_view client_address,
                       int64_t window_seconds, const AdmitLogin& admit) override;
  void ClearLoginFailures(std::string_view account, std::string_view client_address) override;
  ClientAuthFailureCounts CountClientAuthFailures(std::string_view client_id,
                                                  std::string_view client_address,
                                                  int64_t window_seconds) override;
  void RecordClientAuthFailure(std::string_view client_id,
                               std::string_view client_address) override;
  std::optional<int64_t> TryClientAuthAttempt(std::string_view client_id,
                                              std::string_view client_address,
                                              int64_t window_seconds,
                                              const AdmitClientAuth& admit) override;
  void ForgetClientAuthAttempt(int64_t attempt_id) override;
};

class PgTokenStore : public TokenStore, private PgStore {
 public:
  using PgStore::PgStore;
  std::optional<AccessToken> FindActiveAccessToken(std::string_view token_hash) override;
  void CreateCode(const NewCode& code) override;
  std::optional<AuthorizationCode> FindCode(std::string_view code_hash) override;
  std::optional<Issued> RedeemCode(const AuthorizationCode& code, int64_t family_ttl_seconds,
                                   int64_t family_idle_ttl_seconds,
                                   const NewTokens& tokens) override;
  std::optional<RefreshTokenRecord> FindRefreshToken(std::string_view token_hash) override;
  std::optional<Issued> Rotate(const RefreshTokenRecord& old, const NewTokens& tokens) override;
  std::optional<Issued> RotateAgain(const RefreshTokenRecord& old, int64_t child_id,
                                    const NewTokens& tokens) override;
  std::vector<Issued> IssueClientCredentials(
      const std::vector<ClientCredentialsIssue>& batch) override;
  bool AccessTokenStored(std::string_view token_hash) override;
  bool RevokeFamily(int64_t family_id, std::string_view reason, const AuditEvent& audit) override;
  bool RevokeAccessToken(int64_t id, const AuditEvent& audit) override;
  std::optional<TokenOwner> FindAccessTokenOwner(std::string_view token_hash) override;
  std::vector<Grant> ListGrants(std::string_view user_id) override;
  bool RevokeGrantForUser(std::string_view user_id, int64_t family_id,
                          const AuditEvent& audit) override;
};

class PgConsentStore : public ConsentStore, private PgStore {
 public:
  using PgStore::PgStore;
  std::optional<Consent> Find(std::string_view user_id, std::string_view client_id) override;
  void Save(std::string_view user_id, std::string_view client_id, const Consent& consent,
            const AuditEvent& audit) override;
};

class PgAuditStore : public AuditStore, private PgStore {
 public:
  using PgStore::PgStore;
  void Record(const AuditEvent& event) override;
  std::vector<AuditRecord> List(const AuditQuery& query) override;
  std::vector<AuditLink> ChainAfter(int64_t after_id, int64_t limit) override;
  std::optional<AuditChainHead> ChainHead() override;
};

class PgOrgStore : public OrgStore, private PgStore {
 public:
  using PgStore::PgStore;
  std::optional<Membership> FindMembership(std::string_view user_id, std::string_view org) override;
  std::optional<Membership> Personal(std::string_view user_id) override;
  std::vector<Membership> ListForUser(std::string_view user_id) override;
  std::optional<Organization> Find(std::string_view org) override;
  std::vector<Organization> List() override;
  std::optional<Organization> Create(std::string_view name, std::string_view slug,
                                     std::string_view owner_user_id,
                                     const AuditEvent& audit) override;
  UpdateOutcome Update(std::string_view org_id, std::string_view name, std::string_view slug,
                       const AuditEvent& audit) override;
  bool Delete(std::string_view org_id, const AuditEvent& audit) override;
  bool SetLimits(std::string_view org_id, const OrgLimits& limits,
                 const AuditEvent& audit) override;
  std::vector<Member> ListMembers(std::string_view org_id) override;
  bool AddMember(std::string_view org_id, std::string_view user_id, Role role,
                 const AuditEvent& audit) override;
  MemberChange SetRole(std::string_view org_id, std::string_view user_id, Role role,
                       const AuditEvent& audit) override;
  MemberChange RemoveMember(std::string_view org_id, std::string_view user_id,
                            const AuditEvent& audit) override;
};

class PgResourceStore : public ResourceStore, private PgStore {
 public:
  using PgStore::PgStore;
  bool Create(const Resource& resource) override;
  std::vector<Resource> List() override;
  std::vector<Resource> FindMany(const std::vector<std::string>& uris) override;
  bool Delete(std::string_view uri) override;
  std::vector<std::string> AllScopes() override;
};

class PgRegistrationStore : public RegistrationStore, private PgStore {
 public:
  using PgStore::PgStore;
  int64_t CreateToken(std::string_view token_hash, std::string_view name,
                      int64_t ttl_seconds) override;
  std::optional<std::string> FindActiveToken(std::string_view token_hash) override;
  RegistrationAttempts RecordAttempt(std::string_view client_address, int64_t window_seconds,
                                     int64_t limit) override;
};

class PgRateBucketStore : public RateBucketStore, private PgStore {
 public:
  using PgStore::PgStore;
  Lease TakeChunk(std::string_view agent_id, int64_t rate_per_minute, int64_t burst,
                  int64_t chunk) override;
};

class PgMaintenanceStore : public MaintenanceStore, private PgStore {
 public:
  using PgStore::PgStore;
  PruneCounts PruneOnce(const PruneLimits& limits) override;
  void Notify(const std::string& channel, const std::string& payload) override;
};

class PgAgentStore : public AgentStore, private PgStore {
 public:
  using PgStore::PgStore;
  CreateOutcome Create(Agent& agent, const AuditEvent& audit) override;
  std::optional<Agent> Find(std::string_view org_id, std::string_view agent_id) override;
  std::optional<Agent> FindByName(std::string_view org_id, std::string_view name) override;
  std::optional<Agent> FindOrCreateByName(std::string_view org_id, std::string_view name,
                                          std::string_view created_by,
                                          const AuditEvent& audit) override;
  std::vector<Agent> List(std::string_view org_id) override;
  WriteOutcome Update(const Agent& agent, const AuditEvent& audit) override;
  bool Delete(std::string_view org_id, std::string_view agent_id, const AuditEvent& audit) override;
  std::vector<Tool> ListTools(std::string_view agent_id) override;
  std::optional<Tool> FindTool(std::string_view agent_id, std::string_view name) override;
  WriteOutcome CreateTool(std::string_view agent_id, const Tool& tool,
                          const AuditEvent& audit) override;
  WriteOutcome UpdateTool(std::string_view agent_id, const Tool& tool,
                          const AuditEvent& audit) override;
  bool DeleteTool(std::string_view agent_id, std::string_view name,
                  const AuditEvent& audit) override;
  std::vector<Rule> ListRules(std::string_view agent_id) override;
  std::optional<Rule> FindRule(std::string_view agent_id, std::string_view rule_id) override;
  WriteOutcome CreateRule(std::string_view agent_id, Rule& rule, const AuditEvent& audit) override;
  WriteOutcome UpdateRule(std::string_view agent_id, const Rule& rule,
                          const AuditEvent& audit) override;
  bool DeleteRule(std::string_view agent_id, std::string_view rule_id,
                  const AuditEvent& audit) override;
  PolicySlice LoadPolicy(std::string_view agent_id, std::string_view tool,
                         std::string_view scope) override;
};

class PgApiKeyStore : public ApiKeyStore, private PgStore {
 public:
  using PgStore::PgStore;
  ApiKey Insert(const NewApiKey& key, const AuditEvent& audit) override;
  std::optional<ApiKeyWithAgent> FindForVerification(std::string_view key_id) override;
  std::optional<ApiKey> FindInOrg(std::string_view org_id, std::string_view key_id) override;
  std::vector<ApiKey> ListForOrg(std::string_view org_id) override;
  bool Revoke(std::string_view org_id, std::string_view key_id, const AuditEvent& audit) override;
  std::optional<std::pair<ApiKey, int64_t>> Rotate(std::string_view org_id,
                                                   std::string_view old_key_id,
                                                   const NewApiKey& replacement,
                                                   int64_t grace_seconds,
                                                   const AuditEvent& audit) override;
  void TouchLastUsed(std::string_view key_id) override;
};

class PgInvitationStore : public InvitationStore, private PgStore {
 public:
  using PgStore::PgStore;
  std::optional<Invitation> Create(const NewInvitation& invitation,
                                   const AuditEvent& audit) override;
  std::vector<Invitation> List(std::string_view org_id, int64_t limit) override;
  std::optional<Invitation> Find(std::string_view org_id, std::string_view invitation_id) override;
  bool Revoke(std::string_view org_id, std::string_view invitation_id,
              const AuditEvent& audit) override;
  std::optional<Invitation> FindByToken(std::string_view token_hash) override;
  AcceptOutcome Accept(std::string_view token_hash, std::string_view user_id,
                       std::string_view email_normalized, int64_t now,
                       const AuditEvent& audit) override;
};

// The JSON parameter of sql::kDecisionInsertBatch (also used inside an approval's transaction).
std::string DecisionBatchJson(const std::vector<DecisionRecord>& batch);

class PgDecisionStore : public DecisionStore, private PgStore {
 public:
  using PgStore::PgStore;
  std::vector<std::string> InsertBatch(const std::vector<DecisionRecord>& batch) override;
  std::vector<std::string> FindExisting(const std::vector<std::string>& ids) override;
  void AddRefusals(const std::vector<RefusalCount>& counts) override;
  std::vector<DecisionRecord> List(const DecisionQuery& query) override;
  std::optional<DecisionRecord> Find(std::string_view org_id,
                                     std::string_view decision_id) override;
  DecisionSummary Summarize(std::string_view org_id) override;
};

class PgApprovalStore : public ApprovalStore, private PgStore {
 public:
  using PgStore::PgStore;
  Approval Ask(const NewApproval& fresh, DecisionRecord& pending, const AuditEvent& opened,
               int64_t now) override;
  UseOutcome Use(std::string_view id, std::string_view agent_id, std::string_view tool,
                 std::string_view scope, std::string_view context_hash, DecisionRecord& allowed,
                 const AuditEvent& audit, int64_t now) override;
  std::optional<Approval> FindForAgent(std::string_view agent_id, std::string_view id,
                                       int64_t now) override;
  std::vector<Approval> List(const ApprovalQuery& query, int64_t now) override;
  std::optional<Approval> Find(std::string_view org_id, std::string_view id, int64_t now) override;
  DecideOutcome Decide(std::string_view org_id, std::string_view id, bool approve,
                       std::string_view user_id, const std::optional<std::string>& comment,
                       const AuditEvent& audit, int64_t now, Approval& decided) override;
};

class PgWebhookStore : public WebhookStore, private PgStore {
 public:
  using PgStore::PgStore;
  WebhookEndpoint Create(const WebhookEndpoint& endpoint, const AuditEvent& audit) override;
  std::vector<WebhookEndpoint> List(std::string_view org_id) override;
  std::optional<WebhookEndpoint> Find(std::string_view org_id, std::string_view id) override;
  bool Update(const WebhookEndpoint& endpoint, const AuditEvent& audit) override;
  bool Delete(std::string_view org_id, std::string_view id, const AuditEvent& audit) override;
  std::optional<WebhookEndpoint> RotateSecret(std::string_view org_id, std::string_view id,
                                              const std::string& secret_sealed,
                                              int64_t previous_until,
                                              const AuditEvent& audit) override;
  std::vector<WebhookDelivery> ListDeliveries(std::string_view org_id, std::string_view endpoint_id,
                                              const std::optional<std::string>& before,
                                              int64_t limit) override;
  std::optional<WebhookDelivery> RetryDelivery(std::string_view org_id,
                                               std::string_view endpoint_id,
                                               std::string_view delivery_id, int64_t now_ms,
                                               const AuditEvent& audit) override;
  std::vector<DueDelivery> Claim(int64_t now_ms, int64_t lease_ms, int64_t limit,
                                 const std::vector<std::string>& busy) override;
  bool EndpointLive(std::string_view endpoint_id) override;
  void Release(const std::vector<std::string>& delivery_ids) override;
  void Succeeded(const DueDelivery& d, int64_t http_status, int64_t now_ms) override;
  void Failed(const DueDelivery& d, std::optional<int64_t> http_status, const std::string& error,
              std::optional<int64_t> next_attempt_ms, int64_t now_ms,
              int64_t disable_after_ms) override;
  WebhookQueue Queue(int64_t now_ms) override;
};

class PgUsageStore : public UsageStore, private PgStore {
 public:
  using PgStore::PgStore;
  std::optional<OrgLimits> Limits(std::string_view org_id) override;
  MonthUsage Month(std::string_view org_id, std::string_view month) override;
  QuotaLease LeaseMonthly(std::string_view org_id, std::string_view month, int64_t limit,
                          int64_t block) override;
};

}  // namespace oakgate::store::pg
