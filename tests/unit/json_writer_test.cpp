// The hand-written JSON of the hot answers and batches: whatever text goes in, a JSON parser
// reads back the same values (escapes, control bytes, bad UTF-8 replaced, nulls, raw JSON).
#include "gateway/util/json_writer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace oakgate::util {
namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

TEST(JsonWriter, StringsReadBackAsTheyWere) {
  for (std::string s :
       {std::string(""), std::string("plain"), std::string("quote \" and \\"),
        std::string("new\nline\ttab\x01\x1f"), std::string("nul\0byte", 8),
        std::string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91"), std::string("</script>")}) {
    std::string text = Quoted(s);
    auto parsed = nlohmann::json::parse(text);
    EXPECT_EQ(parsed.get<std::string>(), s) << text;
  }
  EXPECT_EQ(Quoted("a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(Quoted("\x01"), "\"\\u0001\"");
}

TEST(JsonWriter, TextThatIsNotUtf8HasItsBadBytesReplaced) {
  std::string text = Quoted(
      "ok\xff\xfe"
      "end");
  auto parsed = nlohmann::json::parse(text);  // throws on invalid UTF-8
  EXPECT_EQ(parsed.get<std::string>(),
            "ok\xef\xbf\xbd\xef\xbf\xbd"
            "end");
}

TEST(JsonWriter, AnObjectHasEveryKindOfField) {
  std::string out = "[";
  std::optional<std::string> none, some = "x";
  JsonObject(out)
      .Add("s", "v")
      .Add("t", true)
      .Add("f", false)
      .Add("n", int64_t{-42})
      .Add("null", nullptr)
      .Add("opt_none", none)
      .Add("opt_some", some)
      .AddIfSet("absent", none)
      .AddIfSet("present", some)
      .AddRaw("raw", R"({"a":[1,2]})")
      .Close();
  out += "]";
  auto o = nlohmann::json::parse(out).at(0);
  EXPECT_EQ(o.at("s"), "v");
  EXPECT_EQ(o.at("t"), true);
  EXPECT_EQ(o.at("f"), false);
  EXPECT_EQ(o.at("n"), -42);
  EXPECT_TRUE(o.at("null").is_null());
  EXPECT_TRUE(o.at("opt_none").is_null());
  EXPECT_EQ(o.at("opt_some"), "x");
  EXPECT_FALSE(o.contains("absent"));
  EXPECT_EQ(o.at("present"), "x");
  EXPECT_EQ(o.at("raw"), nlohmann::json::parse(R"({"a":[1,2]})"));
  EXPECT_EQ(o.size(), 9u);
}

TEST(JsonWriter, AnEmptyObjectIsBraces) {
  std::string out;
  JsonObject(out).Close();
  EXPECT_EQ(out, "{}");
}

}  // namespace
}  // namespace oakgate::util
