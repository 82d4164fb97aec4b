#pragma once
// POST /legacy/introspect and POST /legacy/exchange (CONTRACT §12), deprecated from the start.
#include <string>

#include "gateway/http/request.hpp"
#include "gateway/http/response.hpp"
#include "gateway/legacy/bridge.hpp"

namespace oakgate::handlers::legacy {

struct LegacyContext {
  oakgate::legacy::LegacyBridge& bridge;
  std::string sunset;     // an HTTP date, "" for none
  bool exchange = false;  // legacy_exchange_client is set
};

http::Response LegacyIntrospect(const LegacyContext& ctx, const http::Request& request);
http::Response LegacyExchange(const LegacyContext& ctx, const http::Request& request);

}  // namespace oakgate::handlers::legacy
