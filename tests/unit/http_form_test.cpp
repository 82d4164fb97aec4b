#include <gtest/gtest.h>

#include "gateway/http/cookies.hpp"
#include "gateway/http/form.hpp"
#include "gateway/http/router.hpp"

namespace oakgate::http {
namespace {

TEST(Form, DecodesPercentAndPlus) {
  FormError e;
  auto p = ParseUrlEncoded("email=a%40b.c&password=p+w%2Bd&empty=", &e);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->Get("email"), "a@b.c");
  EXPECT_EQ(p->Get("password"), "p w+d");
  EXPECT_EQ(p->Get("empty"), "");
  EXPECT_FALSE(p->Get("missing"));
}

TEST(Form, KeepsRepetitionSoCallersCanRefuseIt) {
  FormError e;
  auto p = ParseUrlEncoded("a=1&b=2&a=3", &e);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->Count("a"), 2u);
  EXPECT_EQ(p->FirstRepeated(), "a");
}

TEST(Form, RejectsMalformedEscapesAndNonUtf8) {
  FormError e;
  EXPECT_FALSE(ParseUrlEncoded("a=%zz", &e));
  EXPECT_FALSE(ParseUrlEncoded("a=%4", &e));
  EXPECT_FALSE(ParseUrlEncoded("a=%", &e));
  EXPECT_FALSE(ParseUrlEncoded("email=%C3%28", &e));     // invalid UTF-8
  EXPECT_FALSE(ParseUrlEncoded("email=%ED%A0%80", &e));  // a UTF-16 surrogate
  EXPECT_FALSE(ParseUrlEncoded("=x", &e));
}

TEST(Cookies, FindsByExactNameAndRefusesBadOctets) {
  EXPECT_EQ(FindCookie("a=1; oakgate_session=abc; b=2", "oakgate_session"), "abc");
  EXPECT_FALSE(FindCookie("xoakgate_session=abc", "oakgate_session"));
  EXPECT_FALSE(FindCookie("oakgate_session=a\\b", "oakgate_session"));
  EXPECT_EQ(FindCookie("s=\"quoted\"", "s"), "quoted");
}

TEST(Cookies, BuildsSessionCookieAttributes) {
  CookieSpec spec{"__Host-oakgate_session", "v", true};
  spec.max_age = 60;
  EXPECT_EQ(BuildSetCookie(spec),
            "__Host-oakgate_session=v; Path=/; Max-Age=60; Secure; HttpOnly; SameSite=Lax");
}

TEST(Router, AnswersNotFoundMethodNotAllowedAndPathParameters) {
  Router router;
  auto ok = [](Request&) { return Response::Empty(204); };
  router.Add("GET", "/healthz", Exec::kInline, ok);
  router.Add("DELETE", "/api/v1/keys/{key_id}", Exec::kPool, ok);
  Request r;
  r.method = "GET";
  r.path = "/nope";
  EXPECT_EQ(router.Find(r).status, 404);
  r.method = "POST";
  r.path = "/healthz";
  auto m = router.Find(r);
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.allow, "GET, HEAD");
  r.method = "HEAD";
  EXPECT_EQ(router.Find(r).status, 200);
  r.method = "DELETE";
  r.path = "/api/v1/keys/pk_abc";
  ASSERT_EQ(router.Find(r).status, 200);
  EXPECT_EQ(r.PathParam("key_id"), "pk_abc");
}

}  // namespace
}  // namespace oakgate::http
