// Drives server.js the way an MCP client (an IDE, an agent runtime) does: starts it over
// stdio, lists its tools, reads a file (allowed) and tries to write one (denied by oakgate).
// Prints one JSON line per step.
//   OAKGATE_URL=... OAKGATE_API_KEY=... FS_ROOT=/some/dir node client.js
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [path.join(here, "server.js")],
  env: Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
  stderr: "inherit",
});
const client = new Client({ name: "oakgate-filesystem-example-client", version: "1.0.0" });
await client.connect(transport);

const { tools } = await client.listTools();
console.log(JSON.stringify({ step: "list", tools: tools.map((t) => t.name) }));

type Text = { type: string; text?: string };
const read = await client.callTool({ name: "read_file", arguments: { path: "notes.txt", _reasoning: "The user asked what their notes say" } });
console.log(JSON.stringify({ step: "read_file", isError: read.isError ?? false, text: (read.content as Text[])[0]?.text }));

const write = await client.callTool({ name: "write_file", arguments: { path: "notes.txt", content: "overwritten", _reasoning: "Tidy the notes" } });
console.log(JSON.stringify({ step: "write_file", isError: write.isError ?? false, text: (write.content as Text[])[0]?.text }));

await client.close();
