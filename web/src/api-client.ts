// fetch() against the service with the bearer token. A 401 brings the token
// form back; every other error carries the service's `{ error: { message } }`.
import type { TokenGate } from './token-gate.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const REFUSED = 'The service refused the token. Paste a valid API token.';

async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    // not JSON: fall through to the status line
  }
  return `${response.status} ${response.statusText}`.trim();
}

export class ApiClient {
  constructor(private readonly tokens: TokenGate) {}

  /** The raw response for a successful request; throws ApiError otherwise. */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const token = this.tokens.token;
    if (token) headers.set('Authorization', `Bearer ${token}`);
    const response = await fetch(path, { ...init, headers });
    if (response.status === 401) {
      void this.tokens.ask(REFUSED);
      throw new ApiError(401, REFUSED);
    }
    if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
    return response;
  }

  async json<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await this.request(path, init);
    return (await response.json()) as T;
  }

  /** Tell the token form that something else (tus, an event stream) got a 401. */
  refused(): void {
    void this.tokens.ask(REFUSED);
  }
}
