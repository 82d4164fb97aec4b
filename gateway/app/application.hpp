#pragma once
#include "gateway/config/config.hpp"

namespace oakgate::app {

// Runs the gateway in the foreground until SIGTERM or SIGINT, then drains and returns the
// process exit code.
int Serve(const config::Config& config);

}  // namespace oakgate::app
