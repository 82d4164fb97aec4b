#include "gateway/cli/commands.hpp"
#include "gateway/crypto/random.hpp"
#include "gateway/manage/password_policy.hpp"
#include "gateway/session/login_service.hpp"
#include "gateway/session/password.hpp"
#include "gateway/store/pg/pg_database.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::cli {
namespace {

struct UserArgs {
  std::string email;
  bool password_stdin = false;
  bool admin = false;
};

std::string CheckedEmail(const std::string& email) {
  std::string e = std::string(util::Trim(email));
  size_t at = e.find('@');
  if (e.empty() || e.size() > 254 || at == std::string::npos || at == 0 || at + 1 == e.size() ||
      !util::IsValidUtf8(e) || e.find(' ') != std::string::npos) {
    throw CommandError(kExitUsage, "not a valid email address: " + email);
  }
  return e;
}

// The rule sign-up applies (CONTRACT §9), for a password an operator chose; exit code 2, naming
// what is wrong.
void CheckChosenPassword(const std::string& password, const std::string& email) {
  auto problem = manage::CheckPassword(password, email);
  if (problem != manage::PasswordProblem::kNone) {
    throw CommandError(kExitUsage, "password refused: " + manage::PasswordProblemMessage(problem));
  }
}

}  // namespace

void RegisterUser(CLI::App& app, GlobalFlags& flags, Action& action) {
  static UserArgs args;
  auto* user = app.add_subcommand("user", "Manage users");
  user->require_subcommand(1);

  auto* create = user->add_subcommand("create", "Create a user; prints {\"id\", \"email\"}");
  create->add_option("--email", args.email, "Email address")->required();
  create->add_flag("--password-stdin", args.password_stdin,
                   "Read the password from the first line of stdin (else one is generated and "
                   "printed once)");
  create->add_flag("--admin", args.admin, "Make the user an administrator");
  create->callback([&flags, &action] {
    action = [&flags] {
      std::string email = CheckedEmail(args.email);
      std::string password =
          args.password_stdin ? ReadPasswordFromStdin() : crypto::RandomToken(18);
      if (args.password_stdin) CheckChosenPassword(password, email);
      auto db = OpenDatabase(flags);
      session::PasswordHasher hasher(1);
      auto created =
          db->Users().Create(email, session::NormalizeEmail(email), hasher.Hash(password),
                             args.admin, CliEvent("user.created", "", "", {{"admin", args.admin}}));
      if (!created) throw CommandError(kExitFailure, "a user with that email already exists");
      nlohmann::json out = {{"id", created->id}, {"email", email}, {"admin", args.admin}};
      if (!args.password_stdin) out["password"] = password;
      PrintJson(out);
      return kExitOk;
    };
  });

  auto* set_password = user->add_subcommand(
      "set-password",
      "Set a user's password from stdin; ends their sessions and revokes their OAuth tokens "
      "(API keys stay)");
  set_password->add_option("--email", args.email, "Email address")->required();
  set_password->add_flag("--password-stdin", args.password_stdin, "Read it from stdin")->required();
  set_password->callback([&flags, &action] {
    action = [&flags] {
      std::string password = ReadPasswordFromStdin();
      CheckChosenPassword(password, args.email);
      auto db = OpenDatabase(flags);
      session::PasswordHasher hasher(1);
      if (!db->Users().SetPassword(session::NormalizeEmail(args.email), hasher.Hash(password),
                                   CliEvent("user.password_set", "", ""))) {
        throw CommandError(kExitFailure, "no user with that email");
      }
      PrintJson({{"email", args.email}, {"password_changed", true}});
      return kExitOk;
    };
  });

  auto* disable = user->add_subcommand("disable", "Disable a user and end their sessions");
  disable->add_option("--email", args.email, "Email address")->required();
  disable->callback([&flags, &action] {
    action = [&flags] {
      auto db = OpenDatabase(flags);
      if (!db->Users().Disable(session::NormalizeEmail(args.email),
                               CliEvent("user.disabled", "", ""))) {
        throw CommandError(kExitFailure, "no user with that email");
      }
      PrintJson({{"email", args.email}, {"disabled", true}});
      return kExitOk;
    };
  });
}

}  // namespace oakgate::cli
