// An MCP filesystem server whose every tool call is authorized by oakgate first.
//   OAKGATE_URL=http://127.0.0.1:4000 OAKGATE_API_KEY=pk_... FS_ROOT=/some/dir node server.js
// It speaks MCP over stdio (add it to an MCP client's configuration as a command). The
// agent of the key needs a tool `filesystem` with scopes `read` and `write`; a rule for
// filesystem:read alone lets the model read files and refuses every write with a message
// it can read.
import { promises as fs } from "node:fs";
import path from "node:path";

import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { withOakGate } from "@oakgate/mcp";
import { OakGate } from "oakgate";
import { z } from "zod";

const root = path.resolve(process.env["FS_ROOT"] ?? process.cwd());

// Paths are relative to FS_ROOT; one that resolves outside it is refused.
function inside(p: string): string {
  const full = path.resolve(root, p);
  if (full !== root && !full.startsWith(root + path.sep)) throw new Error(`${p} is outside ${root}`);
  return full;
}

const server = new McpServer({ name: "oakgate-filesystem-example", version: "1.0.0" });

server.registerTool(
  "read_file",
  { description: "Read a UTF-8 text file under the server's root", inputSchema: { path: z.string() } },
  async ({ path: p }) => ({ content: [{ type: "text", text: await fs.readFile(inside(p), "utf8") }] }),
);

server.registerTool(
  "write_file",
  { description: "Write a UTF-8 text file under the server's root", inputSchema: { path: z.string(), content: z.string() } },
  async ({ path: p, content }) => {
    await fs.writeFile(inside(p), content, "utf8");
    return { content: [{ type: "text", text: `wrote ${content.length} characters to ${p}` }] };
  },
);

withOakGate(server, {
  client: new OakGate({
    apiKey: process.env["OAKGATE_API_KEY"] ?? "",
    baseUrl: process.env["OAKGATE_URL"] ?? "http://127.0.0.1:4000",
  }),
  toolMapping: {
    read_file: { tool: "filesystem", scope: "read" },
    write_file: { tool: "filesystem", scope: "write" },
  },
  // The decision log keeps what was asked, not the file's contents.
  context: (name, args) => (name === "write_file" ? { path: args["path"], bytes: String(args["content"] ?? "").length } : args),
});

await server.connect(new StdioServerTransport());
