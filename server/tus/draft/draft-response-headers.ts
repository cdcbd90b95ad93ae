// Response fields of the draft: the upload URL, Upload-Limit and the state of
// an upload (Upload-Offset, Upload-Complete, Upload-Length).
import type { IncomingMessage } from 'node:http';
import type { Upload } from '@tus/utils';
import { requestHeader } from '../request-headers.ts';
import { TUS_PATH } from '../tus-server.ts';
import { INTEROP_HEADER, type InteropVersion } from './draft-headers.ts';

/** The absolute upload URL, built as @tus/server builds tus Location URLs (proxy headers only when trusted). */
export function uploadUrl(raw: IncomingMessage, id: string, trustProxy: boolean): string {
  let host: string | undefined;
  let proto: string | undefined;
  if (trustProxy) {
    const forwarded = requestHeader(raw, 'forwarded');
    host = forwarded ? /host="?([^";]+)/.exec(forwarded)?.[1] : undefined;
    proto = forwarded ? /proto=(https?)/.exec(forwarded)?.[1] : undefined;
    const forwardedProto = requestHeader(raw, 'x-forwarded-proto');
    if (forwardedProto === 'http' || forwardedProto === 'https') proto ??= forwardedProto;
    host ??= requestHeader(raw, 'x-forwarded-host');
  }
  return `${proto ?? 'http'}://${host ?? requestHeader(raw, 'host')}${TUS_PATH}/${id}`;
}

export interface LimitFacts {
  maxFileSize: number;
  /** The store's expiry period (ms) of an idle unfinished upload; 0 = never. */
  expirationMs: number;
}

/** Upload-Limit: the largest upload, and for an unfinished upload the seconds it has left. */
export function uploadLimit(facts: LimitFacts, upload?: Upload): string {
  const limits = [`max-size=${facts.maxFileSize}`];
  const unfinished = upload && (upload.size === undefined || upload.offset < upload.size);
  if (unfinished && facts.expirationMs > 0 && upload.creation_date) {
    const left = new Date(upload.creation_date).getTime() + facts.expirationMs - Date.now();
    limits.push(`expires=${Math.max(0, Math.floor(left / 1000))}`);
  }
  return limits.join(', ');
}

export const isComplete = (upload: Upload) => upload.size !== undefined && upload.offset === upload.size;

/** What every answer about an existing upload says of it. */
export function uploadState(version: InteropVersion, upload: Upload): Record<string, string> {
  const state: Record<string, string> = {
    [INTEROP_HEADER]: String(version),
    'Upload-Offset': String(upload.offset),
    'Upload-Complete': isComplete(upload) ? '?1' : '?0',
  };
  if (upload.size !== undefined) state['Upload-Length'] = String(upload.size);
  return state;
}
