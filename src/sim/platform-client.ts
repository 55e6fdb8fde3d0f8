/**
 * The simulation's only way in: the platform's public HTTP interfaces, as residents, an officer,
 * an administrator, a department's feed device and the testing service's devices call them.
 */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 300)}`);
  }
}

export interface Auth {
  bearer?: string;
  apiKey?: string;
  /** the resident's own network address, as the trusted proxy in front of the platform passes it on */
  clientIp?: string;
}

/** JSON over HTTP with retries on overload (429, 503) and lost connections. */
export async function call<T>(
  base: string,
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  body?: unknown,
  auth: Auth = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
  if (auth.apiKey) headers['x-api-key'] = auth.apiKey;
  if (auth.clientIp) headers['x-forwarded-for'] = auth.clientIp;
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      if (attempt < 20) {
        await pause(100 * (attempt + 1));
        continue;
      }
      throw err;
    }
    const text = await res.text();
    if ((res.status === 429 || res.status === 503) && attempt < 50) {
      await pause(50 * (attempt + 1));
      continue;
    }
    if (res.status >= 400) throw new HttpError(res.status, text, `${method} ${path}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Where the platform answers. */
export interface PlatformUrls {
  /** the api (several: requests are spread over them) */
  api: string[];
  /** the testing service's base (…/testing/v1 is appended) */
  testing: string;
}

export interface CodeAnswer {
  token: string;
  colour5: number;
  issuedAt: string;
}

/** One-time codes: demo mode answers them; otherwise the SMS webhook receives them. */
export type OtpSource = (phone: string) => Promise<string>;

export class PlatformClient {
  private rr = 0;
  constructor(readonly urls: PlatformUrls) {}

  /** An api base, round robin. */
  api(): string {
    const list = this.urls.api;
    return list[this.rr++ % list.length]!;
  }

  /** Resident sign-in by phone and one-time code. */
  async residentLogin(phone: string, otp: OtpSource, clientIp: string): Promise<string> {
    const base = this.api();
    const from = { clientIp };
    const r = await call<{ demoCode?: string }>(base, 'POST', '/v1/auth/otp', { phone }, from);
    const code = r.demoCode ?? (await otp(phone));
    const t = await call<{ accessToken: string }>(base, 'POST', '/v1/auth/login', { phone, code }, from);
    return t.accessToken;
  }

  async staffLogin(username: string, password: string): Promise<string> {
    const t = await call<{ accessToken: string }>(this.api(), 'POST', '/v1/auth/staff', {
      username,
      password,
    });
    return t.accessToken;
  }

  myCode(token: string): Promise<CodeAnswer> {
    return call<CodeAnswer>(this.api(), 'GET', '/v1/me/code', undefined, { bearer: token });
  }

  feedBatch(
    feed: string,
    records: unknown[],
    auth: Auth,
  ): Promise<{ accepted: number; duplicates: number; rejected: number; errors: unknown[] }> {
    return call(this.api(), 'POST', `/v1/feeds/${feed}/batch`, { records }, auth);
  }

  testing<T>(method: 'GET' | 'POST', path: string, body: unknown, auth: Auth): Promise<T> {
    return call<T>(this.urls.testing, method, `/testing/v1${path}`, body, auth);
  }

  post<T>(path: string, body: unknown, auth: Auth): Promise<T> {
    return call<T>(this.api(), 'POST', path, body, auth);
  }

  get<T>(path: string, auth: Auth = {}): Promise<T> {
    return call<T>(this.api(), 'GET', path, undefined, auth);
  }
}
