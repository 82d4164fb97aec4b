// The MCP TypeScript SDK's own client auth (auth() from @modelcontextprotocol/sdk) runs against
// oakgate: RFC 9728 discovery through a stand-in MCP server, RFC 8414 metadata, RFC 7591
// registration, and the PKCE authorization-code flow with the RFC 8707 resource. The browser
// step (consent approval) is done here over HTTP with a session cookie the C++ test made.
//
// Environment: OAKGATE_URL (the issuer), OAKGATE_SESSION ("name=value"), MCP_PORT (the port
// the stand-in MCP server listens on; its resource is http://127.0.0.1:MCP_PORT/mcp).
// Prints one JSON line {"client_id", "access_token", "resource_sent", "registered"} and exits
// 0, or exits non-zero with the error.
import http from 'node:http';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';

const issuer = process.env.OAKGATE_URL;
const session = process.env.OAKGATE_SESSION;
const mcpPort = Number(process.env.MCP_PORT);
const resource = `http://127.0.0.1:${mcpPort}/mcp`;
const redirectUrl = 'http://127.0.0.1:8976/callback';

// The MCP server's RFC 9728 protected resource metadata: what makes the SDK send `resource`.
const mcp = http.createServer((req, res) => {
  if (req.url === '/.well-known/oauth-protected-resource/mcp' ||
      req.url === '/.well-known/oauth-protected-resource') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ resource, authorization_servers: [issuer],
                             scopes_supported: ['tools:read'],
                             bearer_methods_supported: ['header'] }));
    return;
  }
  res.writeHead(401, { 'WWW-Authenticate': `Bearer resource_metadata="http://127.0.0.1:${mcpPort}/.well-known/oauth-protected-resource/mcp"` });
  res.end();
});
await new Promise((resolve) => mcp.listen(mcpPort, '127.0.0.1', resolve));

const store = {};
let authorizationUrl;
const provider = {
  get redirectUrl() { return redirectUrl; },
  get clientMetadata() {
    return { client_name: 'MCP SDK test client', redirect_uris: [redirectUrl],
             grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
             token_endpoint_auth_method: 'none' };
  },
  state: () => 'sdk-state',
  clientInformation: () => store.client,
  saveClientInformation: (info) => { store.client = info; },
  tokens: () => store.tokens,
  saveTokens: (tokens) => { store.tokens = tokens; },
  redirectToAuthorization: (url) => { authorizationUrl = new URL(url); },
  saveCodeVerifier: (v) => { store.verifier = v; },
  codeVerifier: () => store.verifier,
};

function hiddenFields(html) {
  const fields = [];
  const re = /<input type="hidden" name="([^"]*)" value="([^"]*)">/g;
  const unescape = (s) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x2F;/g, '/').replace(/&#x3D;/g, '=')
    .replace(/&#x60;/g, '`').replace(/&amp;/g, '&');
  for (const m of html.matchAll(re)) fields.push([unescape(m[1]), unescape(m[2])]);
  return fields;
}

try {
  const serverUrl = new URL(resource);
  const first = await auth(provider, { serverUrl });
  if (first !== 'REDIRECT') throw new Error(`expected REDIRECT, got ${first}`);
  if (!authorizationUrl) throw new Error('the SDK never asked for the browser');
  const resourceSent = authorizationUrl.searchParams.getAll('resource');

  // The browser step: the consent page, approved.
  const page = await fetch(authorizationUrl, { headers: { Cookie: session }, redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`authorize answered ${page.status}: ${html}`);
  if (!html.includes('registered-warning')) throw new Error('consent page does not say the client registered itself');
  const form = new URLSearchParams(hiddenFields(html));
  form.append('decision', 'approve');
  const approved = await fetch(`${issuer}/oauth/authorize`, {
    method: 'POST', redirect: 'manual', body: form.toString(),
    headers: { Cookie: session, 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  const location = approved.headers.get('location');
  if (approved.status !== 303 || !location) throw new Error(`approve answered ${approved.status}: ${await approved.text()}`);
  const callback = new URL(location);
  if (callback.searchParams.get('iss') !== issuer) throw new Error(`iss: ${location}`);
  if (callback.searchParams.get('state') !== 'sdk-state') throw new Error(`state: ${location}`);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code: ${location}`);

  const second = await auth(provider, { serverUrl, authorizationCode: code });
  if (second !== 'AUTHORIZED') throw new Error(`expected AUTHORIZED, got ${second}`);
  console.log(JSON.stringify({ client_id: store.client.client_id,
                               access_token: store.tokens.access_token,
                               refresh_token: store.tokens.refresh_token ?? null,
                               resource_sent: resourceSent,
                               registered: store.client }));
  mcp.close();
  process.exit(0);
} catch (e) {
  console.error(e && e.stack ? e.stack : String(e));
  mcp.close();
  process.exit(1);
}
