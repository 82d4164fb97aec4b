// For CLIs and IDEs: log the user in through their browser (authorization code + PKCE S256,
// RFC 7636, on a loopback redirect, RFC 8252), keep the tokens in a token store, refresh
// them (rotation: the new refresh token is on disk before refresh() returns), and mint
// API keys with them. Discovery, PKCE, the authorization response checks (state, and iss
// per RFC 9207) and the token requests are panva's oauth4webapi.
import { spawn } from "node:child_process";
import http from "node:http";
import { webcrypto } from "node:crypto";
import type { AddressInfo } from "node:net";

import * as oauth from "oauth4webapi";

import { OakGateApiError, OakGateAuthError, OakGateError, OakGateLoginError } from "./errors.js";
import { FileTokenStore, type Credentials, type TokenStore } from "./store.js";

// oauth4webapi uses the global Web Crypto API, which Node 18 has only as node:crypto's
// webcrypto (the global came unflagged in Node 19).
if (!(globalThis as { crypto?: unknown }).crypto) {
  Object.defineProperty(globalThis, "crypto", { value: webcrypto, configurable: true, writable: true });
}

export interface LoginOptions {
  /** The gateway's issuer URL, e.g. `https://auth.example.com`. */
  issuer: string;
  /** A public client registered with a loopback redirect URI `http://127.0.0.1/callback`. */
  clientId: string;
  /** Scopes to ask for, e.g. `["keys", "agents"]`. */
  scopes: string[] | string;
  /** Loopback port of the redirect URI. Default 8989; 0 picks a free one. */
  port?: number;
  /** Opens the authorization URL. Default: prints it on stderr and runs xdg-open / open / start. */
  openBrowser?: (url: string) => void | Promise<void>;
  /** Where the tokens go. Default: a FileTokenStore at $XDG_CONFIG_HOME/oakgate/credentials.json. */
  store?: TokenStore;
  /** How long to wait for the browser to come back. Default 300000 ms. */
  timeoutMs?: number;
  /** Allow an http issuer that is not loopback (never do this in production). */
  allowInsecureRequests?: boolean;
}

export interface SessionOptions {
  store?: TokenStore;
  allowInsecureRequests?: boolean;
}

export interface ApiKey {
  key_id: string;
  key: string;
  name: string;
  agent_id: string;
  scopes: string[];
  created_at: string;
  expires_at: string | null;
  [field: string]: unknown;
}

function isLoopback(url: URL): boolean {
  return url.hostname === "127.0.0.1" || url.hostname === "[::1]" || url.hostname === "localhost";
}

function requestOptions(issuer: URL, allowInsecure: boolean | undefined) {
  const insecure = issuer.protocol === "http:" && (allowInsecure || isLoopback(issuer));
  return { [oauth.allowInsecureRequests]: insecure, signal: AbortSignal.timeout(30_000) };
}

const discovered = new Map<string, oauth.AuthorizationServer>();

async function discover(issuer: URL, allowInsecure: boolean | undefined): Promise<oauth.AuthorizationServer> {
  const cached = discovered.get(issuer.href);
  if (cached) return cached;
  try {
    const response = await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...requestOptions(issuer, allowInsecure) });
    const as = await oauth.processDiscoveryResponse(issuer, response);
    discovered.set(issuer.href, as);
    return as;
  } catch (e) {
    throw loginError("discovery failed", e);
  }
}

function loginError(step: string, e: unknown): OakGateLoginError {
  if (e instanceof OakGateError) return e as OakGateLoginError;
  if (e instanceof oauth.ResponseBodyError || e instanceof oauth.AuthorizationResponseError) {
    const description = e.error_description ? `: ${e.error_description}` : "";
    return new OakGateLoginError(`${step}: ${e.error}${description}`, e.error, e);
  }
  return new OakGateLoginError(`${step}: ${(e as Error)?.message ?? String(e)}`, undefined, e);
}

function toCredentials(issuer: string, clientId: string, t: oauth.TokenEndpointResponse, previous?: Credentials | null): Credentials {
  return {
    issuer,
    client_id: clientId,
    access_token: t.access_token,
    // RFC 6749 §6: a server may keep the refresh token; then the old one stays valid.
    refresh_token: t.refresh_token ?? previous?.refresh_token ?? null,
    token_type: t.token_type,
    expires_at: typeof t.expires_in === "number" ? Math.floor(Date.now() / 1000) + t.expires_in : null,
    scope: t.scope ?? previous?.scope ?? null,
    api_key: previous?.api_key ?? null,
  };
}

function defaultOpenBrowser(url: string): void {
  process.stderr.write(`Open this URL to log in to oakgate:\n  ${url}\n`);
  const [cmd, args] =
    process.platform === "darwin" ? ["open", [url]] : process.platform === "win32" ? ["cmd", ["/c", "start", '""', url]] : ["xdg-open", [url]];
  try {
    const child = spawn(cmd as string, args as string[], { stdio: "ignore", detached: true });
    child.on("error", () => undefined); // no browser opener: the printed URL is enough
    child.unref();
  } catch {
    // as above
  }
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;margin:3rem"><h1>${title}</h1><p>${text}</p></body>`;

/**
 * Logs in through the user's browser and stores the token set. Resolves with the stored
 * credentials once the code has been exchanged for tokens.
 */
export async function login(options: LoginOptions): Promise<Credentials> {
  const issuer = new URL(options.issuer);
  const as = await discover(issuer, options.allowInsecureRequests);
  const client: oauth.Client = { client_id: options.clientId };
  const store = options.store ?? new FileTokenStore();
  const scope = Array.isArray(options.scopes) ? options.scopes.join(" ") : options.scopes;
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  const state = oauth.generateRandomState();

  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8989, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const redirectUri = `http://127.0.0.1:${port}/callback`;

  let timer: NodeJS.Timeout | undefined;
  try {
    const callback = new Promise<{ params: URLSearchParams; res: http.ServerResponse }>((resolve, reject) => {
      timer = setTimeout(() => reject(new OakGateLoginError("login timed out waiting for the browser")), options.timeoutMs ?? 300_000);
      server.on("request", (req, res) => {
        const url = new URL(req.url ?? "/", redirectUri);
        if (req.method !== "GET" || url.pathname !== "/callback") {
          res.writeHead(404, { "Content-Type": "text/plain", Connection: "close" }).end("not found");
          return;
        }
        clearTimeout(timer);
        try {
          // Checks `state` and, as the server announces authorization_response_iss_parameter_supported, `iss` (RFC 9207).
          resolve({ params: oauth.validateAuthResponse(as, client, url, state), res });
        } catch (e) {
          res.writeHead(400, { "Content-Type": "text/html; charset=utf-8", Connection: "close" }).end(PAGE("Login failed", "You can close this window and try again."));
          reject(loginError("authorization failed", e));
        }
      });
    });
    callback.catch(() => undefined); // handled by the race below; this keeps a late rejection quiet

    const authorize = new URL(as.authorization_endpoint as string);
    authorize.searchParams.set("response_type", "code");
    authorize.searchParams.set("client_id", options.clientId);
    authorize.searchParams.set("redirect_uri", redirectUri);
    authorize.searchParams.set("scope", scope);
    authorize.searchParams.set("state", state);
    authorize.searchParams.set("code_challenge", challenge);
    authorize.searchParams.set("code_challenge_method", "S256");
    // Not awaited to the end: a browser (or a test's stand-in) may wait for the callback page,
    // which is answered only after the code is exchanged below. Its failure fails the login.
    const opening = Promise.resolve()
      .then(() => (options.openBrowser ?? defaultOpenBrowser)(authorize.href))
      .then(() => new Promise<never>(() => undefined));
    opening.catch(() => undefined); // a browser failing after the callback arrived does not matter
    const { params, res } = await Promise.race([callback, opening]);
    let tokens: oauth.TokenEndpointResponse;
    try {
      const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, verifier, requestOptions(issuer, options.allowInsecureRequests));
      tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    } catch (e) {
      res.writeHead(400, { "Content-Type": "text/html; charset=utf-8", Connection: "close" }).end(PAGE("Login failed", "You can close this window and try again."));
      throw loginError("token request failed", e);
    }
    // A new login starts a new credentials file: an older api_key may belong to someone else.
    const credentials = toCredentials(issuer.href.replace(/\/$/, ""), options.clientId, tokens);
    await store.save(credentials);
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", Connection: "close" }).end(PAGE("Logged in to oakgate", "You can close this window."));
    return credentials;
  } finally {
    clearTimeout(timer);
    // The callback page is sent with Connection: close; idle sockets go now, so the
    // listener is gone when login() settles.
    server.close();
    server.closeIdleConnections?.();
  }
}

/**
 * Uses the stored refresh token. The gateway rotates it (the old one is retired), so the new
 * set is written to the store before refresh() resolves: a process that dies right after
 * still has a refresh token that works.
 */
export async function refresh(options: SessionOptions = {}): Promise<Credentials> {
  const store = options.store ?? new FileTokenStore();
  const current = await store.load();
  if (!current) throw new OakGateLoginError("not logged in: run login() first");
  if (!current.refresh_token) throw new OakGateLoginError("the stored credentials have no refresh token");
  const issuer = new URL(current.issuer);
  const as = await discover(issuer, options.allowInsecureRequests);
  const client: oauth.Client = { client_id: current.client_id };
  let tokens: oauth.TokenEndpointResponse;
  try {
    const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), current.refresh_token, requestOptions(issuer, options.allowInsecureRequests));
    tokens = await oauth.processRefreshTokenResponse(as, client, response);
  } catch (e) {
    throw loginError("refresh failed", e);
  }
  const next = toCredentials(current.issuer, current.client_id, tokens, current);
  await store.save(next);
  return next;
}

/** A stored access token that is valid for at least another minute, refreshing if needed. */
export async function getAccessToken(options: SessionOptions = {}): Promise<string> {
  const store = options.store ?? new FileTokenStore();
  const current = await store.load();
  if (!current) throw new OakGateLoginError("not logged in: run login() first");
  if (current.expires_at !== null && current.expires_at - 60 <= Date.now() / 1000 && current.refresh_token) {
    return (await refresh({ ...options, store })).access_token;
  }
  return current.access_token;
}

export interface CreateApiKeyOptions extends SessionOptions {
  /** The agent the key acts for; without it the user's agent `default`. */
  agentId?: string;
  name: string;
  /** `tool:scope` strings narrowing what the key may be granted. */
  scopes?: string[];
  /** Seconds until the key expires. */
  expiresIn?: number;
  /** Keep the new key in the store's `api_key`. Default true. */
  save?: boolean;
}

/** POST /api/v1/auth/api-keys with the stored access token (scope `keys`). */
export async function createApiKey(options: CreateApiKeyOptions): Promise<ApiKey> {
  const store = options.store ?? new FileTokenStore();
  const body: Record<string, unknown> = { name: options.name };
  if (options.agentId !== undefined) body["agent_id"] = options.agentId;
  if (options.scopes !== undefined) body["scopes"] = options.scopes;
  if (options.expiresIn !== undefined) body["expires_in"] = options.expiresIn;
  const send = async (token: string) => {
    const current = (await store.load()) as Credentials;
    return fetch(`${current.issuer}/api/v1/auth/api-keys`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  };
  let response = await send(await getAccessToken({ ...options, store }));
  if (response.status === 401 && (await store.load())?.refresh_token) {
    // The access token was revoked or expired early: one refresh, one more try.
    await response.body?.cancel();
    response = await send((await refresh({ ...options, store })).access_token);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const error = typeof (json as { error?: unknown })?.error === "string" ? ((json as { error: string }).error) : undefined;
  if (response.status === 401) throw new OakGateAuthError(401, error ?? "invalid_token", json);
  if (response.status !== 201) throw new OakGateApiError(`creating the API key failed: ${response.status}${error ? ` ${error}` : ""}`, response.status, error, json);
  const key = json as ApiKey;
  if (options.save ?? true) {
    const current = await store.load();
    if (current) await store.save({ ...current, api_key: key.key });
  }
  return key;
}

/** Forgets the stored credentials (the tokens stay valid until they expire or are revoked). */
export async function logout(options: { store?: TokenStore } = {}): Promise<void> {
  await (options.store ?? new FileTokenStore()).clear();
}
