// oakgate org create|list|add-member|set-role|remove-member|set-limits: the operator's hand on
// organizations (CONTRACT §9). Every change is an audit event with the actor "cli".
#include <nlohmann/json.hpp>

#include "gateway/cli/commands.hpp"
#include "gateway/handlers/api/orgs.hpp"
#include "gateway/manage/org_service.hpp"
#include "gateway/session/login_service.hpp"
#include "gateway/store/pg/pg_database.hpp"

namespace oakgate::cli {
namespace {

struct OrgArgs {
  std::string name;
  std::string slug;
  std::string owner;
  std::string org;
  std::string user;
  std::string role;
  int64_t max_agents = -1;  // -1: not given, so unlimited
  int64_t monthly_decisions = -1;
};

store::Organization FindOrg(store::Database& db, const std::string& org) {
  auto found = db.Orgs().Find(org);
  if (!found) throw CommandError(kExitFailure, "no organization with that slug or id");
  return *found;
}

std::string FindUser(store::Database& db, const std::string& email) {
  auto user = db.Users().FindByEmail(session::NormalizeEmail(email));
  if (!user) throw CommandError(kExitFailure, "no user with that email");
  return user->id;
}

store::Role CheckedRole(const std::string& name) {
  auto role = store::ParseRole(name);
  if (!role) throw CommandError(kExitUsage, "--role must be owner, admin or member");
  return *role;
}

store::AuditEvent OrgEvent(std::string type, const std::string& org_id, std::string subject,
                           const nlohmann::json& details) {
  // `{}` written at a call reads as JSON null; the details are always an object.
  store::AuditEvent e =
      CliEvent(std::move(type), "", "", details.is_null() ? nlohmann::json::object() : details);
  e.subject = std::move(subject);
  e.org_id = org_id;
  return e;
}

// Exit 1 with the reason unless the change was made.
void Check(store::MemberChange change) {
  switch (change) {
    case store::MemberChange::kOk:
      return;
    case store::MemberChange::kLastOwner:
      throw CommandError(kExitFailure, "an organization keeps at least one owner");
    case store::MemberChange::kNotFound:
      break;
  }
  throw CommandError(kExitFailure, "the user is not a member");
}

void PrintMembers(store::Database& db, const std::string& org_id) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& m : db.Orgs().ListMembers(org_id)) {
    out.push_back({{"user_id", m.user_id}, {"email", m.email}, {"role", store::RoleName(m.role)}});
  }
  PrintJson(out);
}

}  // namespace

void RegisterOrg(CLI::App& app, GlobalFlags& flags, Action& action) {
  static OrgArgs a;
  auto* org = app.add_subcommand("org", "Manage organizations, their members and their limits");
  org->require_subcommand(1);

  auto* create = org->add_subcommand("create", "Create an organization; prints it as JSON");
  create->add_option("--name", a.name, "Display name")->required();
  create->add_option("--slug", a.slug, "Unique short name, [a-z0-9-]{3,40}")->required();
  create->add_option("--owner", a.owner, "Email of the user who becomes its owner")->required();
  create->callback([&flags, &action] {
    action = [&flags] {
      if (!manage::IsValidSlug(a.slug))
        throw CommandError(kExitUsage, "--slug must match [a-z0-9-]{3,40}");
      if (a.name.empty() || a.name.size() > 200) {
        throw CommandError(kExitUsage, "--name must be 1 to 200 characters");
      }
      auto db = OpenDatabase(flags);
      std::string owner = FindUser(*db, a.owner);
      auto created = db->Orgs().Create(a.name, a.slug, owner,
                                       OrgEvent("org.created", "", "", {{"slug", a.slug}}));
      if (!created) throw CommandError(kExitFailure, "an organization with this slug exists");
      PrintJson(handlers::api::OrgJson(*created));
      return kExitOk;
    };
  });

  auto* list = org->add_subcommand("list", "List organizations as a JSON array");
  list->add_option("--user", a.user, "Only this user's organizations, with its role (email)");
  list->callback([&flags, &action] {
    action = [&flags] {
      auto db = OpenDatabase(flags);
      nlohmann::json out = nlohmann::json::array();
      if (a.user.empty()) {
        for (const auto& o : db->Orgs().List()) out.push_back(handlers::api::OrgJson(o));
      } else {
        for (const auto& m : db->Orgs().ListForUser(FindUser(*db, a.user))) {
          nlohmann::json j = handlers::api::OrgJson(m.org);
          j["role"] = store::RoleName(m.role);
          out.push_back(std::move(j));
        }
      }
      PrintJson(out);
      return kExitOk;
    };
  });

  auto* add = org->add_subcommand("add-member", "Add a user; prints the members as JSON");
  add->add_option("--org", a.org, "Organization slug or id")->required();
  add->add_option("--user", a.user, "Email of the user")->required();
  add->add_option("--role", a.role, "owner, admin or member (default member)");
  add->callback([&flags, &action] {
    action = [&flags] {
      store::Role role = a.role.empty() ? store::Role::kMember : CheckedRole(a.role);
      auto db = OpenDatabase(flags);
      store::Organization o = FindOrg(*db, a.org);
      std::string user = FindUser(*db, a.user);
      if (!db->Orgs().AddMember(
              o.id, user, role,
              OrgEvent("org.member_added", o.id, user, {{"role", store::RoleName(role)}}))) {
        throw CommandError(kExitFailure, "the user is a member already (use set-role)");
      }
      PrintMembers(*db, o.id);
      return kExitOk;
    };
  });

  auto* set_role = org->add_subcommand("set-role", "Change a member's role; prints the members");
  set_role->add_option("--org", a.org, "Organization slug or id")->required();
  set_role->add_option("--user", a.user, "Email of the member")->required();
  set_role->add_option("--role", a.role, "owner, admin or member")->required();
  set_role->callback([&flags, &action] {
    action = [&flags] {
      store::Role role = CheckedRole(a.role);
      auto db = OpenDatabase(flags);
      store::Organization o = FindOrg(*db, a.org);
      std::string user = FindUser(*db, a.user);
      Check(db->Orgs().SetRole(
          o.id, user, role,
          OrgEvent("org.member_role_changed", o.id, user, {{"role", store::RoleName(role)}})));
      PrintMembers(*db, o.id);
      return kExitOk;
    };
  });

  auto* remove = org->add_subcommand("remove-member", "Remove a member; prints the members");
  remove->add_option("--org", a.org, "Organization slug or id")->required();
  remove->add_option("--user", a.user, "Email of the member")->required();
  remove->callback([&flags, &action] {
    action = [&flags] {
      auto db = OpenDatabase(flags);
      store::Organization o = FindOrg(*db, a.org);
      std::string user = FindUser(*db, a.user);
      Check(db->Orgs().RemoveMember(o.id, user, OrgEvent("org.member_removed", o.id, user, {})));
      PrintMembers(*db, o.id);
      return kExitOk;
    };
  });

  auto* limits = org->add_subcommand(
      "set-limits",
      "Set the organization's plan; a limit not given is unlimited. Prints the organization");
  limits->add_option("--org", a.org, "Organization slug or id")->required();
  limits->add_option("--max-agents", a.max_agents, "At most this many agents")
      ->check(CLI::Range(int64_t{0}, int64_t{1000000}));
  limits
      ->add_option("--monthly-decisions", a.monthly_decisions,
                   "At most this many recorded decisions per calendar month (UTC)")
      ->check(CLI::Range(int64_t{0}, int64_t{1000000000000}));
  limits->callback([&flags, &action] {
    action = [&flags] {
      auto db = OpenDatabase(flags);
      store::Organization o = FindOrg(*db, a.org);
      store::OrgLimits l;
      if (a.max_agents >= 0) l.max_agents = a.max_agents;
      if (a.monthly_decisions >= 0) l.monthly_decisions = a.monthly_decisions;
      nlohmann::json details = {{"max_agents", nullptr}, {"monthly_decisions", nullptr}};
      if (l.max_agents) details["max_agents"] = *l.max_agents;
      if (l.monthly_decisions) details["monthly_decisions"] = *l.monthly_decisions;
      db->Orgs().SetLimits(o.id, l, OrgEvent("org.limits_set", o.id, o.id, details));
      PrintJson(handlers::api::OrgJson(FindOrg(*db, o.id)));
      return kExitOk;
    };
  });
}

}  // namespace oakgate::cli
