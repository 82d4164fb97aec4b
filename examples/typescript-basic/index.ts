// Validate and guard an agent's tool calls with oakgate.
//   OAKGATE_URL=http://127.0.0.1:4000 OAKGATE_API_KEY=pk_... node index.js
// The agent needs a tool `github` with scopes `read` and `write` and a rule for github:read
// only (docs/getting-started.md sets that up): the first two calls are allowed, the last
// is denied.
import { OakGate, OakGateDeniedError, OakGateRateLimitedError } from "oakgate";

const oak = new OakGate({
  apiKey: process.env["OAKGATE_API_KEY"] ?? "",
  baseUrl: process.env["OAKGATE_URL"] ?? "http://127.0.0.1:4000",
});

// validate(): ask, and decide yourself. Allowed and denied both come back as an answer.
const decision = await oak.validate({
  tool: "github",
  scope: "read",
  reasoning: "The user asked for a summary of the open issues",
  context: { repo: "acme/widgets" },
});
console.log(JSON.stringify({ step: "validate", allowed: decision.allowed, decision_id: decision.decision_id }));

// guard(): the action runs only when oakgate allows it.
const issues = await oak.guard(
  { tool: "github", scope: "read", reasoning: "List open issues to summarise them", context: { repo: "acme/widgets" } },
  async () => ["#12 crash on start", "#15 typo in README"],
);
console.log(JSON.stringify({ step: "guard read", result: issues }));

try {
  await oak.guard(
    { tool: "github", scope: "write", reasoning: "Close the duplicate issue", context: { repo: "acme/widgets", issue: 15 } },
    async () => {
      throw new Error("not reached: oakgate denies github:write");
    },
  );
} catch (e) {
  if (e instanceof OakGateDeniedError) {
    // Tell the model why, so it can ask the user or try something else.
    console.log(JSON.stringify({ step: "guard write", denied: true, reason: e.reason, rule_id: e.ruleId, decision_id: e.decisionId }));
  } else if (e instanceof OakGateRateLimitedError) {
    console.log(JSON.stringify({ step: "guard write", rate_limited: true, retry_after: e.retryAfter }));
  } else {
    throw e;
  }
}
oak.close();
