// The metadata of an upload created with the draft, which defines none of its
// own: Upload-Metadata as tus has it (tus-js-client sends it with the draft
// protocols too), else the file name from Content-Disposition and the type
// from Content-Type, as an HTTP client uploading a file sends them.
import type { IncomingMessage } from 'node:http';
import { parseMetadata } from '../protocol-headers.ts';
import { requestHeader } from '../request-headers.ts';
import { filenameFromContentDisposition } from './content-disposition.ts';
import { PARTIAL_UPLOAD_MEDIA_TYPE } from './draft-headers.ts';

/** Types that say nothing about the file (a generic byte stream, the draft's or tus's append type). */
const UNINFORMATIVE_TYPES = new Set([
  PARTIAL_UPLOAD_MEDIA_TYPE,
  'application/octet-stream',
  'application/offset+octet-stream',
]);

export function creationMetadata(raw: IncomingMessage): Record<string, string | null> {
  const header = requestHeader(raw, 'upload-metadata');
  const values = header === undefined ? {} : parseMetadata(header).values;
  const filename = filenameFromContentDisposition(requestHeader(raw, 'content-disposition'));
  if (values.filename === undefined && filename !== undefined) values.filename = filename;
  const type = requestHeader(raw, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (values.filetype === undefined && type && !UNINFORMATIVE_TYPES.has(type)) values.filetype = type;
  return values;
}
