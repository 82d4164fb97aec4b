// Where a CLI or IDE keeps what login() got: one JSON file, readable by its owner only,
// replaced atomically so that a crash mid-write leaves the old file or the new one, never
// half of either.
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface Credentials {
  issuer: string;
  client_id: string;
  access_token: string;
  refresh_token: string | null;
  token_type: string;
  /** Unix time (seconds) when the access token expires, or null when the server did not say. */
  expires_at: number | null;
  scope: string | null;
  /** A key minted by createApiKey(), when there is one. */
  api_key: string | null;
}

export interface TokenStore {
  load(): Promise<Credentials | null>;
  save(credentials: Credentials): Promise<void>;
  clear(): Promise<void>;
}

/** `$XDG_CONFIG_HOME/oakgate/credentials.json`, else `~/.config/oakgate/credentials.json`. */
export function defaultCredentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env["XDG_CONFIG_HOME"] && path.isAbsolute(env["XDG_CONFIG_HOME"]) ? env["XDG_CONFIG_HOME"] : path.join(os.homedir(), ".config");
  return path.join(base, "oakgate", "credentials.json");
}

export class FileTokenStore implements TokenStore {
  readonly path: string;

  constructor(file: string = defaultCredentialsPath()) {
    this.path = file;
  }

  async load(): Promise<Credentials | null> {
    let text: string;
    try {
      text = await fs.readFile(this.path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
    return JSON.parse(text) as Credentials;
  }

  /**
   * Writes a temporary file (mode 0600, created exclusively) in the same directory, fsyncs
   * it, renames it over the old one and fsyncs the directory: after save() resolves the new
   * credentials survive a crash or power loss.
   */
  async save(credentials: Credentials): Promise<void> {
    const dir = path.dirname(this.path);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = path.join(dir, `.${path.basename(this.path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    const handle = await fs.open(tmp, "wx", 0o600);
    try {
      await handle.writeFile(JSON.stringify(credentials, null, 2) + "\n", "utf8");
      await handle.sync();
    } catch (e) {
      await handle.close();
      await fs.rm(tmp, { force: true });
      throw e;
    }
    await handle.close();
    try {
      await fs.rename(tmp, this.path);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
    const d = await fs.open(dir, "r");
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  async clear(): Promise<void> {
    await fs.rm(this.path, { force: true });
  }
}
