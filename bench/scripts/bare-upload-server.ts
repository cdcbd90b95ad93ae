// The physical-limit baseline for uploads: a bare node:http server that pipes
// each request body to a file, as the tus store does, and nothing else. Run as
// a child process; prints its port. The file is deleted after the answer.
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const directory = process.argv[2] as string;
let next = 0;

const server = http.createServer((request, response) => {
  const path = join(directory, `body-${next++}`);
  pipeline(request, createWriteStream(path)).then(
    () => {
      response.writeHead(204).end();
      void unlink(path).catch(() => {});
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
