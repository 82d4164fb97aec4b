#include "gateway/oauth/resources.hpp"

#include <algorithm>

#include "gateway/oauth/resource_uri.hpp"

namespace oakgate::oauth {

util::Result<std::vector<store::Resource>, OAuthError> ResolveResources(
    store::ResourceStore& resources, const std::vector<std::string>& values) {
  using util::Fail;
  if (values.empty()) return std::vector<store::Resource>{};
  // RFC 8707 §2: an absolute URI without a fragment, else invalid_target.
  auto uris = NormalizeResourceList(values);
  if (!uris) {
    OAuthError e = MakeError(ErrorCode::kInvalidTarget,
                             "resource must be an absolute https URI without a fragment");
    e.field = "resource";
    return Fail(std::move(e));
  }
  auto found = resources.FindMany(*uris);
  std::vector<store::Resource> out;
  for (const auto& uri : *uris) {
    auto it = std::find_if(found.begin(), found.end(), [&](const auto& r) { return r.uri == uri; });
    if (it == found.end()) {
      OAuthError e = MakeError(ErrorCode::kInvalidTarget, "unknown resource", uri);
      e.field = "resource";
      return Fail(std::move(e));
    }
    out.push_back(*it);
  }
  return out;
}

std::vector<std::string> UrisOf(const std::vector<store::Resource>& resources) {
  std::vector<std::string> out;
  for (const auto& r : resources) out.push_back(r.uri);
  return out;
}

std::vector<std::string> ScopesOf(const std::vector<store::Resource>& resources) {
  std::vector<std::string> out;
  for (const auto& r : resources) {
    for (const auto& s : r.scopes) {
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
  }
  return out;
}

std::vector<std::string> Intersect(const std::vector<std::string>& scopes,
                                   const std::vector<std::string>& allowed) {
  std::vector<std::string> out;
  for (const auto& s : scopes) {
    if (std::find(allowed.begin(), allowed.end(), s) != allowed.end()) out.push_back(s);
  }
  return out;
}

}  // namespace oakgate::oauth
