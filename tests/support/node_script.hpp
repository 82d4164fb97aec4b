#pragma once
// Runs a Node script of the e2e tests that drive a real browser (playwright-core) or an npm
// SDK, and collects what it printed: the scripts print one JSON object per line for the test
// to check, and anything else for a human reading a failure.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace oakgate::test {

struct NodeRun {
  int status = -1;                      // as pclose gives it: 0 when the script exited 0 in time
  std::string output;                   // stdout and stderr, interleaved
  std::vector<nlohmann::json> objects;  // the lines of output that are JSON objects
};

// `node SCRIPT` in DIR with ENV added to the environment, stopped after timeout_seconds.
NodeRun RunNodeScript(const std::string& dir, const std::string& script,
                      const std::map<std::string, std::string>& env, int timeout_seconds = 300);

}  // namespace oakgate::test
