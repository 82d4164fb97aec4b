// The connection's state machine and the sweeper's decisions, without a socket or a clock:
// states are moved by hand and times are made up.
#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "gateway/http/connection.hpp"
#include "gateway/http/connection_registry.hpp"

namespace oakgate::http {
namespace {

using S = ConnState;
using namespace std::chrono_literals;

const S kAll[] = {S::kAwaitingFirst, S::kIdle,    S::kReadingHead, S::kReadingBody,
                  S::kHandling,      S::kStalled, S::kClosing,     S::kGone};

// Every transition the server makes, and why; anything else is refused.
const std::set<std::pair<S, S>> kLegal = {
    {S::kAwaitingFirst, S::kReadingHead},  // its first bytes
    {S::kAwaitingFirst, S::kClosing},      // idle while draining
    {S::kAwaitingFirst, S::kGone},
    {S::kIdle, S::kReadingHead},  // the next request's first bytes
    {S::kIdle, S::kClosing},      // idle while draining
    {S::kIdle, S::kGone},
    {S::kReadingHead, S::kReadingBody},  // head complete, body to come
    {S::kReadingHead, S::kHandling},     // a whole request went to the pool or was deferred
    {S::kReadingHead, S::kIdle},         // answered from memory, nothing more buffered
    {S::kReadingHead, S::kStalled},      // too many answers wait to be written
    {S::kReadingHead, S::kClosing},      // refused, timed out, or answered with close
    {S::kReadingHead, S::kGone},
    {S::kReadingBody, S::kReadingHead},  // answered from memory, pipelined bytes follow
    {S::kReadingBody, S::kHandling},
    {S::kReadingBody, S::kIdle},
    {S::kReadingBody, S::kStalled},
    {S::kReadingBody, S::kClosing},
    {S::kReadingBody, S::kGone},
    {S::kHandling, S::kIdle},         // answered
    {S::kHandling, S::kReadingHead},  // answered, and bytes arrived meanwhile
    {S::kHandling, S::kClosing},      // answered with close, or too many bytes arrived
    {S::kHandling, S::kGone},
    {S::kStalled, S::kReadingHead},  // a write drained: parsing resumes
    {S::kStalled, S::kClosing},      // timed out
    {S::kStalled, S::kGone},
    {S::kClosing, S::kGone},
};

TEST(ConnectionStates, TheTableAllowsExactlyTheLegalTransitions) {
  for (S from : kAll) {
    for (S to : kAll) {
      if (from == to) continue;
      EXPECT_EQ(CanTransition(from, to), kLegal.count({from, to}) == 1)
          << ToString(from) << " -> " << ToString(to);
    }
  }
}

TEST(ConnectionStates, AConnectionRefusesAnIllegalMoveAndStaysWhereItIs) {
  Connection conn;
  EXPECT_EQ(conn.state(), S::kAwaitingFirst);
  EXPECT_FALSE(conn.MoveTo(S::kHandling)) << "no request has been read";
  EXPECT_EQ(conn.state(), S::kAwaitingFirst);
  EXPECT_TRUE(conn.MoveTo(S::kReadingHead));
  EXPECT_TRUE(conn.MoveTo(S::kHandling));
  EXPECT_FALSE(conn.MoveTo(S::kStalled)) << "a connection off the reactor parses nothing";
  EXPECT_TRUE(conn.MoveTo(S::kHandling)) << "staying is not a transition";
  EXPECT_TRUE(conn.MoveTo(S::kClosing));
  EXPECT_FALSE(conn.MoveTo(S::kIdle)) << "Connection: close was said";
  EXPECT_FALSE(conn.open());
  EXPECT_TRUE(conn.MoveTo(S::kGone));
  for (S to : kAll) {
    if (to == S::kGone) continue;
    EXPECT_FALSE(conn.MoveTo(to)) << "gone is the end: " << ToString(to);
  }
  EXPECT_EQ(conn.state(), S::kGone);
}

TEST(ConnectionStates, AKeepAliveConnectionCyclesThroughItsStates) {
  Connection conn;
  for (S to : {S::kReadingHead, S::kReadingBody, S::kHandling, S::kIdle, S::kReadingHead, S::kIdle,
               S::kReadingHead, S::kStalled, S::kReadingHead, S::kClosing, S::kGone}) {
    EXPECT_TRUE(conn.MoveTo(to)) << ToString(to);
  }
}

struct SweepCase {
  const char* name;
  S state;
  std::chrono::milliseconds since_request;   // now - request_started
  std::chrono::milliseconds since_activity;  // now - last_activity
  std::chrono::milliseconds since_closing;   // now - closing_since
  int writes_pending;
  bool draining;
  SweepAction want;
};

TEST(Sweeper, HoldsEachStateToItsOwnTimeout) {
  SweepLimits limits;
  limits.header_timeout = 10s;
  limits.body_timeout = 30s;
  limits.idle_timeout = 75s;
  limits.drain_idle_grace = 4s;
  limits.closing_grace = 5s;
  const SweepCase cases[] = {
      {"silent new connection within the header timeout", S::kAwaitingFirst, 0s, 9s, 0s, 0, false,
       SweepAction::kNone},
      {"silent new connection past the header timeout", S::kAwaitingFirst, 0s, 11s, 0s, 0, false,
       SweepAction::kAbort},
      {"idle keep-alive within the idle timeout", S::kIdle, 0s, 74s, 0s, 0, false,
       SweepAction::kNone},
      {"idle keep-alive past the idle timeout", S::kIdle, 0s, 76s, 0s, 0, false,
       SweepAction::kAbort},
      {"slow head", S::kReadingHead, 11s, 1s, 0s, 0, false, SweepAction::kTimeout},
      {"head in time", S::kReadingHead, 9s, 1s, 0s, 0, false, SweepAction::kNone},
      {"slow body within header plus body", S::kReadingBody, 39s, 1s, 0s, 0, false,
       SweepAction::kNone},
      {"slow body past header plus body", S::kReadingBody, 41s, 1s, 0s, 0, false,
       SweepAction::kTimeout},
      {"stalled reader past the header timeout", S::kStalled, 11s, 1s, 0s, 16, false,
       SweepAction::kTimeout},
      {"handling takes as long as it takes", S::kHandling, 600s, 600s, 0s, 0, true,
       SweepAction::kNone},
      {"closing within its grace", S::kClosing, 0s, 0s, 4s, 0, false, SweepAction::kNone},
      {"closing past its grace", S::kClosing, 0s, 0s, 6s, 0, false, SweepAction::kAbort},
      {"gone", S::kGone, 600s, 600s, 600s, 0, true, SweepAction::kNone},
      {"draining idle past the proxy's keep-alive", S::kIdle, 0s, 4s, 0s, 0, true,
       SweepAction::kDrainClose},
      {"draining idle that the proxy may still use", S::kIdle, 0s, 3s, 0s, 0, true,
       SweepAction::kNone},
      {"draining idle with an answer still being written", S::kIdle, 0s, 5s, 0s, 1, true,
       SweepAction::kNone},
      {"draining silent new connection", S::kAwaitingFirst, 0s, 4s, 0s, 0, true,
       SweepAction::kDrainClose},
      {"draining does not hurry a request being read", S::kReadingHead, 1s, 5s, 0s, 0, true,
       SweepAction::kNone},
  };
  const SteadyTime now = SteadyTime{} + 1000s;
  for (const SweepCase& c : cases) {
    EXPECT_EQ(DecideSweep(c.state, now - c.since_request, now - c.since_activity,
                          now - c.since_closing, c.writes_pending, now, limits, c.draining),
              c.want)
        << c.name;
  }
}

}  // namespace
}  // namespace oakgate::http
