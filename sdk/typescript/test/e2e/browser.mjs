// A headless "browser" for login(): follows the authorization URL over plain HTTP with a
// cookie jar, fills /web/login, approves the consent page and lands on the loopback
// callback, as a user clicking through would.
const unescapeHtml = (s) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&apos;/g, "'")
  .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x2F;/g, '/').replace(/&#x3D;/g, '=')
  .replace(/&#x60;/g, '`').replace(/&amp;/g, '&');

export function hiddenFields(html, formAction) {
  const start = formAction ? html.indexOf(`action="${formAction}"`) : 0;
  const form = html.slice(start, html.indexOf('</form>', start));
  const fields = [];
  for (const m of form.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields.push([unescapeHtml(m[1]), unescapeHtml(m[2])]);
  return fields;
}

export class Browser {
  cookies = new Map();
  visited = [];

  #remember(res) {
    const raw = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : (res.headers.get('set-cookie') ?? '').split(/,(?=\s*[A-Za-z0-9_.-]+=)/);
    for (const c of raw) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  #cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(url, init = {}) {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), Cookie: this.#cookieHeader() } });
    this.#remember(res);
    this.visited.push(`${init.method ?? 'GET'} ${url} -> ${res.status}`);
    return res;
  }

  // GETs url and follows redirects (303 after a POST becomes a GET), returning the last answer.
  async follow(url, init = {}) {
    let res = await this.request(url, init);
    for (let hops = 0; res.status >= 300 && res.status < 400 && hops < 10; hops++) {
      const next = new URL(res.headers.get('location'), url).href;
      await res.body?.cancel();
      url = next;
      res = await this.request(url);
    }
    return { res, url };
  }

  async postForm(url, fields) {
    return this.follow(url, { method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  }
}

// What login()'s openBrowser does in the tests: log in, then approve (or deny) the consent.
export function userAgent({ email, password, decision = 'approve', onCallback } = {}) {
  return async (authorizationUrl) => {
    const browser = new Browser();
    let { res, url } = await browser.follow(authorizationUrl);
    let html = await res.text();
    if (new URL(url).pathname === '/web/login') {
      ({ res, url } = await browser.postForm(new URL('/web/login', url).href, [...hiddenFields(html, '/web/login'), ['email', email], ['password', password]]));
      html = await res.text();
    }
    if (new URL(url).pathname === '/oauth/authorize' && res.status === 200) {
      ({ res, url } = await browser.postForm(new URL('/oauth/authorize', url).href, [...hiddenFields(html, '/oauth/authorize'), ['decision', decision]]));
      await res.text();
    }
    onCallback?.(url, res.status, browser.visited);
  };
}
