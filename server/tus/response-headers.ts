// Adjusts the headers of the response @tus/server writes, at the moment it
// writes them (srvx calls writeHead once with the status and all headers):
// what the protocol asks for and @tus/server does not send.
import type { ServerResponse } from 'node:http';

export type HeaderAdjuster = (status: number, headers: Headers) => void;

type WriteHead = ServerResponse['writeHead'];

/** Runs `adjust` on the status and headers of the next writeHead call of `response`. */
export function adjustResponseHeaders(response: ServerResponse, adjust: HeaderAdjuster): void {
  const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => ServerResponse;
  response.writeHead = ((status: number, ...rest: unknown[]) => {
    const last = rest.at(-1);
    if (Array.isArray(last)) {
      // srvx passes a flat [name, value, name, value, …] list.
      const headers = new Headers();
      for (let i = 0; i < last.length; i += 2) headers.append(String(last[i]), String(last[i + 1]));
      adjust(status, headers);
      const flat: string[] = [];
      for (const [name, value] of headers) flat.push(name, value);
      return writeHead(status, ...rest.slice(0, -1), flat);
    }
    const headers = new Headers();
    adjust(status, headers);
    for (const [name, value] of headers) response.setHeader(name, value);
    return writeHead(status, ...rest);
  }) as WriteHead;
}
