#pragma once
// The one list of placeholder secrets: every secret value this repository ships (or has
// shipped) in an example file or a document. An operator who copies one without reading on
// would serve with a CSRF key everyone can read, so `serve` refuses each of them
// (ValidateForServe). Header-only so that the e2e test that scans the shipped files
// (tests/e2e/secret_sources_test.cpp) checks against this very list: a secret value added to
// a shipped file and not here fails it.
#include <array>
#include <string_view>

namespace oakgate::config {

inline constexpr std::array<std::string_view, 1> kPlaceholderSecrets = {
    // systemd/common.env.example until secrets moved to systemd credentials (issue 25); kept,
    // since deployments made from the older example may still carry it.
    "change-me-to-48-random-bytes-in-base64-000000000000",
};

}  // namespace oakgate::config
