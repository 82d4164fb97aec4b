// A CLI that logs its user in to oakgate through the browser (authorization code + PKCE on
// a loopback redirect) and mints an API key for one of their agents.
//   node index.js --issuer http://127.0.0.1:4000 --client-id oakgate-cli --agent-id AGENT [--name NAME] [--no-browser]
// The client must be a public client with the redirect URI http://127.0.0.1/callback and
// the scopes "keys agents":
//   oakgate client create --id oakgate-cli --name "oakgate CLI" --redirect-uri http://127.0.0.1/callback --scopes "keys agents"
// Tokens and the key go to $XDG_CONFIG_HOME/oakgate/credentials.json (mode 0600).
import { parseArgs } from "node:util";

import { createApiKey, defaultCredentialsPath, login } from "oakgate";

const { values } = parseArgs({
  options: {
    issuer: { type: "string", default: process.env["OAKGATE_URL"] ?? "http://127.0.0.1:4000" },
    "client-id": { type: "string", default: "oakgate-cli" },
    "agent-id": { type: "string" },
    name: { type: "string", default: "cli" },
    port: { type: "string", default: "8989" },
    "no-browser": { type: "boolean", default: false },
  },
});

const credentials = await login({
  issuer: values.issuer as string,
  clientId: values["client-id"] as string,
  scopes: ["keys", "agents"],
  port: Number(values.port),
  // --no-browser: only print the URL (on a remote machine, open it elsewhere).
  ...(values["no-browser"] ? { openBrowser: (url: string) => void process.stderr.write(`Open this URL to log in:\n  ${url}\n`) } : {}),
});
process.stderr.write(`Logged in; tokens saved to ${defaultCredentialsPath()}\n`);

const key = await createApiKey({ name: values.name as string, ...(values["agent-id"] ? { agentId: values["agent-id"] } : {}) });
// The key is shown this once (and kept in the credentials file).
console.log(JSON.stringify({ key_id: key.key_id, key: key.key, agent_id: key.agent_id, scope: credentials.scope }));
