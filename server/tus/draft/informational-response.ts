// The draft's 104 (Upload Resumption Supported) interim response, carrying the
// upload URL before the content is read. Node's HTTP server writes interim
// responses only as 100, 102 and 103 (writeEarlyHints insists on a Link
// header); each of them is one `_writeRaw` of the status line and headers
// before the final response, and this does the same. Written only on HTTP/1.1
// (1xx must not go to HTTP/1.0 clients) and while no final head is out.
import type { IncomingMessage, ServerResponse } from 'node:http';

interface RawWritable {
  _writeRaw(data: string, encoding: BufferEncoding): boolean;
}

/** Writes the 104; false when it cannot be sent on this exchange (the client does not need it). */
export function sendUploadResumptionSupported(
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>,
): boolean {
  const http11 = req.httpVersionMajor === 1 && req.httpVersionMinor >= 1;
  if (!http11 || res.headersSent || !res.socket?.writable) return false;
  const writeRaw = (res as unknown as Partial<RawWritable>)._writeRaw;
  if (typeof writeRaw !== 'function') return false;
  let head = 'HTTP/1.1 104 Upload Resumption Supported\r\n';
  for (const [name, value] of Object.entries(headers)) {
    // Header values come from our own URL and numbers; never let one break the framing.
    if (/[\r\n]/.test(value)) return false;
    head += `${name}: ${value}\r\n`;
  }
  writeRaw.call(res, `${head}\r\n`, 'latin1');
  return true;
}
