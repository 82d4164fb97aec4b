// The shared JSON body reader: objects only, bounded nesting, repeated members reported.
#include "gateway/handlers/json_body.hpp"

#include <gtest/gtest.h>

#include <string>

namespace oakgate::handlers {
namespace {

std::string Nested(int depth) {
  // {"a": [[[...]]]} with `depth` levels in all, the object counting as one.
  return "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

TEST(JsonBody, AcceptsAnObjectWithinTheDepthLimit) {
  JsonBody b = ParseJsonBody(Nested(kMaxJsonDepth));
  EXPECT_FALSE(b.error) << *b.error;
  EXPECT_TRUE(b.doc.is_object());
}

TEST(JsonBody, RefusesNestingPastTheLimitWithoutRecursingIntoIt) {
  EXPECT_EQ(ParseJsonBody(Nested(kMaxJsonDepth + 1)).error,
            "the body is nested more than 32 levels deep");
  // Deep enough to exhaust a stack if anything walked it recursively.
  JsonBody deep = ParseJsonBody(Nested(200000));
  ASSERT_TRUE(deep.error);
  EXPECT_TRUE(deep.doc.is_discarded());
}

TEST(JsonBody, RefusesWhatIsNotAnObject) {
  EXPECT_EQ(ParseJsonBody("[1]").error, "the body must be a JSON object");
  EXPECT_EQ(ParseJsonBody("\"x\"").error, "the body must be a JSON object");
  EXPECT_EQ(ParseJsonBody("{").error, "the body is not JSON");
  EXPECT_EQ(ParseJsonBody("").error, "the body is not JSON");
}

TEST(JsonBody, ReportsTheFirstRepeatedTopLevelMember) {
  JsonBody b = ParseJsonBody(R"({"a":1,"b":{"c":1,"c":2},"a":3,"b":4})");
  EXPECT_FALSE(b.error);
  EXPECT_EQ(b.repeated_key, "a") << "nested repeats are not top-level ones";
}

}  // namespace
}  // namespace oakgate::handlers
