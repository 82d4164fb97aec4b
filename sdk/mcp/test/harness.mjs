// A guarded McpServer and the MCP SDK's own Client, connected over its InMemoryTransport.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

import { withOakGate } from '../dist/index.js';

// read_file / write_file that record the arguments they were called with. `register` says
// whether the tools are registered before withOakGate() or after it; with `root`, write_file
// also writes the file there (a path that leaves the root is refused).
export async function guardedServer(oakgateOptions, { register = 'before', root } = {}) {
  const calls = [];
  const server = new McpServer({ name: 'guarded-test', version: '1.0.0' });
  const addTools = () => {
    server.registerTool('read_file', { description: 'Read a file', inputSchema: { path: z.string() } },
      async (args) => { calls.push({ tool: 'read_file', args }); return { content: [{ type: 'text', text: `contents of ${args.path}` }] }; });
    // A strict schema: any argument it does not declare is an error, `_reasoning` included,
    // unless the guard removes it first.
    server.registerTool('write_file', { description: 'Write a file', inputSchema: z.object({ path: z.string(), content: z.string() }).strict() },
      async (args) => {
        calls.push({ tool: 'write_file', args });
        if (root) {
          const target = path.resolve(root, args.path);
          if (!target.startsWith(path.resolve(root) + path.sep)) return { content: [{ type: 'text', text: 'outside the root' }], isError: true };
          fs.writeFileSync(target, args.content);
        }
        return { content: [{ type: 'text', text: `wrote ${args.path}` }] };
      });
  };
  if (register === 'before') addTools();
  withOakGate(server, oakgateOptions);
  if (register === 'after') addTools();
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await client.connect(clientTransport);
  return { server, client, calls, close: async () => { await client.close(); await server.close(); } };
}
