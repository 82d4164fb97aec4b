// @oakgate/mcp: every tools/call of an MCP server is first asked of oakgate's /v1/validate.
// An allowed call reaches the tool (without the `_reasoning` argument); a denied one is
// answered with a tool result that has isError: true and names the reason and rule, which
// the model reads and can act on (a protocol error would only tell it that something broke).
// A call an `ask` rule holds for a human waits for the approval when told to
// (`waitForApproval`), and is otherwise answered at once naming the approval.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  OakGateApprovalPendingError,
  OakGateDeniedError,
  OakGateRateLimitedError,
  OakGateAuthError,
  type OakGate,
  type PendingDecision,
} from "oakgate";

export interface ToolTarget {
  /** The oakgate tool name; defaults to the MCP tool's name. */
  tool?: string;
  /** The oakgate scope; defaults to `defaultScope`. */
  scope?: string;
}

export interface WithOakGateOptions {
  client: OakGate;
  /** MCP tool name → the oakgate (tool, scope) that guards it. */
  toolMapping?: Record<string, ToolTarget>;
  /** The scope of a tool missing from toolMapping. Default "execute". */
  defaultScope?: string;
  /**
   * What is sent as the decision's `context`. Default: the call's arguments (without
   * `_reasoning`). The gateway takes at most 16 KiB of context: tools with big arguments
   * (file contents) should send a summary.
   */
  context?: (name: string, args: Record<string, unknown>) => Record<string, unknown> | undefined;
  /**
   * A call that needs a human's approval (an `ask` rule) waits up to `timeoutMs` for it and
   * then runs; without this it is answered at once with an isError result naming the
   * approval. While it waits, a request that carries a `progressToken` gets a progress
   * notification every round (at most every 30 s), so that an MCP client calling with
   * `resetTimeoutOnProgress` does not give up first.
   */
  waitForApproval?: { timeoutMs: number };
}

/** The argument a model may add to any tool call to say why it makes it. */
export const REASONING_ARGUMENT = "_reasoning";
/** The request `_meta` key a client may use instead. */
export const REASONING_META = "oakgate/reasoning";
/** The result `_meta` key that carries oakgate's decision. */
export const DECISION_META = "oakgate/decision";

interface HandlerExtra {
  sendNotification?: (notification: { method: string; params: Record<string, unknown> }) => Promise<void>;
}

interface CallToolRequest {
  method: string;
  params: { name: string; arguments?: Record<string, unknown>; _meta?: Record<string, unknown>; [k: string]: unknown };
}

type Handler = (request: CallToolRequest, extra: unknown) => unknown;

interface ProtocolInternals {
  _requestHandlers?: Map<string, Handler>;
  setRequestHandler: (schema: unknown, handler: Handler) => void;
}

const GUARDED = Symbol.for("oakgate.mcp.guarded");

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function methodOf(schema: unknown): string | undefined {
  // zod v3 (`.shape.method.value`) and v4 (`.shape.method._zod.def.values[0]`) literal schemas.
  const method = (schema as { shape?: { method?: { value?: unknown; _zod?: { def?: { values?: unknown[] } } } } })?.shape?.method;
  const v = method?.value ?? method?._zod?.def?.values?.[0];
  return typeof v === "string" ? v : undefined;
}

function errorResult(text: string, meta?: Record<string, unknown>) {
  return { content: [{ type: "text" as const, text }], isError: true, ...(meta ? { _meta: meta } : {}) };
}

/**
 * Guards `server`: tools registered before and after this call alike. tools/list is left
 * as it is. Returns the server.
 */
export function withOakGate<S extends McpServer>(server: S, options: WithOakGateOptions): S {
  const protocol = server.server as unknown as ProtocolInternals;
  if ((protocol as unknown as Record<symbol, unknown>)[GUARDED]) throw new Error("withOakGate: this server is already guarded");
  (protocol as unknown as Record<symbol, unknown>)[GUARDED] = true;
  const defaultScope = options.defaultScope ?? "execute";

  const guardHandler = (original: Handler): Handler => async (request, extra) => {
    const params = request.params ?? ({} as CallToolRequest["params"]);
    const name = params.name;
    const args: Record<string, unknown> = isObject(params.arguments) ? { ...params.arguments } : {};
    let reasoning: string | undefined;
    if (REASONING_ARGUMENT in args) {
      const r = args[REASONING_ARGUMENT];
      delete args[REASONING_ARGUMENT];
      if (typeof r === "string") reasoning = r;
    }
    const metaReasoning = isObject(params._meta) ? params._meta[REASONING_META] : undefined;
    if (reasoning === undefined && typeof metaReasoning === "string") reasoning = metaReasoning;
    const target = options.toolMapping?.[name];
    const tool = target?.tool ?? name;
    const scope = target?.scope ?? defaultScope;
    const context = options.context ? options.context(name, args) : args;

    const progressToken = isObject(params._meta) ? params._meta["progressToken"] : undefined;
    let rounds = 0;
    const onWait = (pending: PendingDecision): void => {
      if (typeof progressToken !== "string" && typeof progressToken !== "number") return;
      const notify = (extra as HandlerExtra | undefined)?.sendNotification;
      rounds += 1;
      notify?.({
        method: "notifications/progress",
        params: { progressToken, progress: rounds, message: `waiting for a human to approve ${tool}:${scope} (approval ${pending.approval_id})` },
      }).catch(() => undefined);
    };

    try {
      await options.client.authorize(
        {
          tool,
          scope,
          ...(reasoning !== undefined ? { reasoning } : {}),
          ...(context !== undefined ? { context } : {}),
        },
        options.waitForApproval ? { waitForApproval: { timeoutMs: options.waitForApproval.timeoutMs, onWait } } : {},
      );
    } catch (e) {
      if (e instanceof OakGateApprovalPendingError) {
        const until = e.expiresAt ? ` before ${e.expiresAt}` : "";
        return errorResult(
          `oakgate: ${tool}:${scope} needs a human's approval first (approval ${e.approvalId}${until}; rule ${e.ruleId ?? "none"}): the call was not made`,
          { [DECISION_META]: e.decision },
        );
      }
      if (e instanceof OakGateDeniedError) {
        const rule = e.ruleId ? `rule ${e.ruleId}` : "no rule";
        const approval = e.approvalId ? `; approval ${e.approvalId}` : "";
        const comment = e.approval?.comment ? `: "${e.approval.comment}"` : "";
        return errorResult(
          `oakgate denied ${tool}:${scope}: ${e.reason} (${rule}; decision ${e.decisionId ?? "none"}${approval})${comment}`,
          { [DECISION_META]: e.decision },
        );
      }
      // Fail closed: without an answer from oakgate the tool does not run.
      if (e instanceof OakGateRateLimitedError) return errorResult(`oakgate rate limit reached for ${tool}:${scope}: retry after ${e.retryAfter} s`);
      if (e instanceof OakGateAuthError) return errorResult(`oakgate refused this server's API key (${e.error ?? "unauthorized"}): the call was not made`);
      return errorResult(`oakgate could not authorize ${tool}:${scope} (${(e as Error).message}): the call was not made`);
    }
    const forwarded: CallToolRequest = { ...request, params: { ...params, arguments: args } };
    return original(forwarded, extra);
  };

  // Tools registered later: McpServer installs its tools/call handler on the first one.
  const setRequestHandler = protocol.setRequestHandler.bind(protocol);
  protocol.setRequestHandler = (schema, handler) => {
    setRequestHandler(schema, methodOf(schema) === "tools/call" ? guardHandler(handler) : handler);
  };
  // Tools registered already: the handler is in place (as the Protocol's own wrapper).
  const existing = protocol._requestHandlers?.get("tools/call");
  if (existing) protocol._requestHandlers!.set("tools/call", guardHandler(existing));
  return server;
}
