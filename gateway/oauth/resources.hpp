#pragma once
// Resource indicators (RFC 8707) at authorize and token: which resources a request names,
// and which scopes a token for them may carry.
#include <string>
#include <vector>

#include "gateway/oauth/errors.hpp"
#include "gateway/store/database.hpp"
#include "gateway/util/result.hpp"

namespace oakgate::oauth {

// The registered resources named by `values` (normalised, duplicates removed, in request
// order). invalid_target when one is malformed (relative, a fragment, ...) or unknown.
util::Result<std::vector<store::Resource>, OAuthError> ResolveResources(
    store::ResourceStore& resources, const std::vector<std::string>& values);
inline util::Result<std::vector<store::Resource>, OAuthError> ResolveResources(
    store::Database& db, const std::vector<std::string>& values) {
  return ResolveResources(db.Resources(), values);
}

std::vector<std::string> UrisOf(const std::vector<store::Resource>& resources);
// Every scope at least one of the resources offers.
std::vector<std::string> ScopesOf(const std::vector<store::Resource>& resources);
// The scopes of `scopes` that appear in `allowed`, order kept.
std::vector<std::string> Intersect(const std::vector<std::string>& scopes,
                                   const std::vector<std::string>& allowed);

}  // namespace oakgate::oauth
