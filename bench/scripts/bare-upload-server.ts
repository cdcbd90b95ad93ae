// The physical-limit baseline for uploads: a bare node:http server that pipes
// each request body to a file, as the tus store does, and nothing else. Run as
// a child process; prints its port. A file may come whole or in slices sent
// one after another (the baseline of chunked uploads): /<name>?offset=N writes
// the body into <name> from byte N, as the tus store writes a PATCH; the slice
// with &last=1 deletes the file after the answer.
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const directory = process.argv[2] as string;
let next = 0;

const server = http.createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://bare');
  const name = url.pathname.slice(1).replace(/[^\w-]/g, '') || `body-${next++}`;
  const offset = Number(url.searchParams.get('offset') ?? 0);
  const last = !url.searchParams.has('offset') || url.searchParams.get('last') === '1';
  const path = join(directory, name);
  // The first slice creates the file; the others write into it at their offset.
  const file = createWriteStream(path, offset === 0 ? {} : { flags: 'r+', start: offset });
  pipeline(request, file).then(
    () => {
      response.writeHead(204).end();
      if (last) void unlink(path).catch(() => {});
    },
    () => response.destroy(),
  );
});
server.requestTimeout = 0;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening on ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
