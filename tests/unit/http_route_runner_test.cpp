// How the server runs every route kind (one reactor attempt: answer, defer, decline), and the
// one place a failure becomes an answer, driven directly: no socket, no thread.
#include <gtest/gtest.h>

#include <stdexcept>

#include "gateway/http/route_runner.hpp"
#include "gateway/http/unavailable.hpp"
#include "gateway/observe/metrics.hpp"
#include "gateway/observe/unexpected.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::http {
namespace {

// A secret-shaped message: whatever carries it must never reach the client.
constexpr const char* kLeak = "password=hunter2 at host=db.internal";

Response RenderForTest(const Request*, int status, std::string_view code,
                       std::string_view message) {
  Response r = Response::Json(status, std::string(code) + ": " + std::string(message));
  return r;
}

Request RequestFor(const Route& route) {
  Request req;
  req.method = route.method;
  req.path = route.pattern;
  req.route = route.pattern;
  req.request_id = "req-1";
  return req;
}

std::string HeaderOf(const Response& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

uint64_t Unexpected(const char* where) { return observe::UnexpectedExceptions(where).value(); }

uint64_t DatabaseUnavailable() {
  return observe::Metrics()
      .GetCounter("oakgate_database_unavailable_total",
                  "Requests answered 503 because the database could not answer")
      .value();
}

class RouteRunnerTest : public ::testing::Test {
 protected:
  const Route& Only() {
    EXPECT_EQ(router_.Entries().size(), 1u);
    Request probe;
    probe.method = router_.Entries()[0].method;
    probe.path = router_.Entries()[0].pattern;
    return *router_.Find(probe).route;
  }
  Router router_;
  RouteRunner runner_{RenderForTest};
};

TEST_F(RouteRunnerTest, AnInlineRouteAlwaysAnswersOnTheReactor) {
  router_.Add("GET", "/inline", Exec::kInline, [](Request&) { return Response::Text(200, "hi"); });
  Request req = RequestFor(Only());
  Attempt a = runner_.TryOnReactor(Only(), req, nullptr);
  ASSERT_EQ(a.kind, Attempt::Kind::kAnswer);
  EXPECT_EQ(a.response.body, "hi");
}

TEST_F(RouteRunnerTest, APoolRouteDeclinesAtOnceAndItsWorkerAnswers) {
  router_.Add("GET", "/pool", Exec::kPool, [](Request&) { return Response::Text(200, "db"); });
  Request req = RequestFor(Only());
  EXPECT_EQ(runner_.TryOnReactor(Only(), req, nullptr).kind, Attempt::Kind::kDecline);
  EXPECT_EQ(runner_.RunOnWorker(Only(), req).body, "db");
}

TEST_F(RouteRunnerTest, AFastPathAnswersOnAHitAndDeclinesOnAMiss) {
  bool hit = true;
  router_.AddWithFastPath(
      "POST", "/fast",
      [&hit](Request&) -> std::optional<Response> {
        if (hit) return Response::Text(200, "memory");
        return std::nullopt;
      },
      [](Request&) { return Response::Text(200, "db"); });
  Request req = RequestFor(Only());
  Attempt a = runner_.TryOnReactor(Only(), req, nullptr);
  ASSERT_EQ(a.kind, Attempt::Kind::kAnswer);
  EXPECT_EQ(a.response.body, "memory");
  hit = false;
  EXPECT_EQ(runner_.TryOnReactor(Only(), req, nullptr).kind, Attempt::Kind::kDecline);
}

TEST_F(RouteRunnerTest, AnAsyncPathDefersWithTheReplyOrDeclines) {
  Reply kept;
  bool take = true;
  router_.AddWithAsyncPath(
      "POST", "/async",
      [&](Request&, Reply reply) {
        if (!take) return false;
        kept = std::move(reply);
        return true;
      },
      [](Request&) { return Response::Text(200, "db"); });
  EXPECT_TRUE(Only().may_defer);
  Request req = RequestFor(Only());
  std::optional<Response> replied;
  Attempt a = runner_.TryOnReactor(Only(), req, [&](Response r) { replied = std::move(r); });
  ASSERT_EQ(a.kind, Attempt::Kind::kDefer);
  ASSERT_TRUE(kept);
  kept(Response::Text(200, "later"));
  ASSERT_TRUE(replied);
  EXPECT_EQ(replied->body, "later");
  take = false;
  EXPECT_EQ(runner_.TryOnReactor(Only(), req, [](Response) {}).kind, Attempt::Kind::kDecline);
}

TEST_F(RouteRunnerTest, AThrowingHandlerIsAGeneric500CountedAsUnexpected) {
  router_.Add("GET", "/boom", Exec::kPool,
              [](Request&) -> Response { throw std::runtime_error(kLeak); });
  Request req = RequestFor(Only());
  uint64_t before = Unexpected("handler");
  Response r = runner_.RunOnWorker(Only(), req);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "server_error: internal error");
  EXPECT_EQ(Unexpected("handler"), before + 1);
  // Not even a non-exception gets through.
  router_ = Router();
  router_.Add("GET", "/int", Exec::kInline, [](Request&) -> Response { throw 42; });
  Request inline_req = RequestFor(Only());
  Attempt a = runner_.TryOnReactor(Only(), inline_req, nullptr);
  ASSERT_EQ(a.kind, Attempt::Kind::kAnswer);
  EXPECT_EQ(a.response.status, 500);
  EXPECT_EQ(Unexpected("handler"), before + 2);
}

TEST_F(RouteRunnerTest, AThrowingFastPathIsCountedAndTheWorkerAnswersAsAlways) {
  router_.AddWithFastPath(
      "POST", "/fast", [](Request&) -> std::optional<Response> { throw std::logic_error(kLeak); },
      [](Request&) { return Response::Text(200, "db"); });
  Request req = RequestFor(Only());
  uint64_t before = Unexpected("reactor_attempt");
  EXPECT_EQ(runner_.TryOnReactor(Only(), req, nullptr).kind, Attempt::Kind::kDecline);
  EXPECT_EQ(Unexpected("reactor_attempt"), before + 1);
  EXPECT_EQ(runner_.RunOnWorker(Only(), req).body, "db");
}

TEST_F(RouteRunnerTest, AnUnavailableDatabaseIsThe503OfTheOneRule) {
  router_.Add("POST", "/db", Exec::kPool,
              [](Request&) -> Response { throw util::ServiceUnavailable(kLeak); });
  Request req = RequestFor(Only());
  uint64_t unexpected = Unexpected("handler");
  uint64_t before = DatabaseUnavailable();
  Response r = runner_.RunOnWorker(Only(), req);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "temporarily_unavailable: the service is temporarily unavailable");
  EXPECT_EQ(HeaderOf(r, "Retry-After"), "2");
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-store");
  EXPECT_EQ(DatabaseUnavailable(), before + 1);
  EXPECT_EQ(Unexpected("handler"), unexpected) << "an outage is expected, not a bug";
}

TEST_F(RouteRunnerTest, AFullQueueIsTheBusy503WithItsOwnRetryAfter) {
  router_.Add("POST", "/db", Exec::kPool, [](Request&) { return Response::Text(200, "db"); });
  Request req = RequestFor(Only());
  Response r = runner_.Busy(req);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "temporarily_unavailable: the server is busy");
  EXPECT_EQ(HeaderOf(r, "Retry-After"), "1");
}

TEST(UnavailableRule, EachCauseHasOneRetryAfterAndNoStore) {
  EXPECT_EQ(RuleFor(Unavailable::kDatabase).retry_after_seconds, 2);
  EXPECT_EQ(RuleFor(Unavailable::kBusy).retry_after_seconds, 1);
  for (Unavailable why : {Unavailable::kDatabase, Unavailable::kBusy}) {
    Response r = Response::Json(200, "{}");
    MarkUnavailable(r, why);
    EXPECT_EQ(r.status, 503);
    EXPECT_TRUE(r.Has("Retry-After"));
    EXPECT_TRUE(r.Has("Cache-Control"));
    EXPECT_EQ(RuleFor(why).code, "temporarily_unavailable");
  }
}

}  // namespace
}  // namespace oakgate::http
