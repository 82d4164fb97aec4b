#include "tests/support/node_script.hpp"

#include <cstdio>
#include <sstream>

namespace oakgate::test {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

NodeRun RunNodeScript(const std::string& dir, const std::string& script,
                      const std::map<std::string, std::string>& env, int timeout_seconds) {
  std::string cmd = "cd " + Quote(dir) + " &&";
  for (const auto& [name, value] : env) cmd += " " + name + "=" + Quote(value);
  cmd += " timeout " + std::to_string(timeout_seconds) + " node " + Quote(script) + " 2>&1";
  NodeRun run;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return run;
  char buf[4096];
  while (fgets(buf, sizeof(buf), p)) run.output += buf;
  run.status = pclose(p);
  std::istringstream lines(run.output);
  std::string line;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object()) run.objects.push_back(std::move(j));
  }
  return run;
}

}  // namespace oakgate::test
