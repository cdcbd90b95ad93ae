// Counts physical line breaks in raw CSV bytes, the way an editor numbers lines:
// LF, CRLF and a lone CR each end one line, inside quoted fields too.

export const LF = 0x0a;
export const CR = 0x0d;

/**
 * Line breaks in `buf[start, end)`. `nextByte` is the byte after `end` when known,
 * so a CR that ends the range is not counted twice when its LF follows.
 */
export function countLineBreaks(buf: Uint8Array, start: number, end: number, nextByte?: number): number {
  // A bounded view keeps each search inside the range: searching the whole
  // chunk for a byte it lacks (CR in an LF file) would cost O(chunk) per record.
  const view = buf.subarray(start, end);
  let breaks = 0;
  for (let i = view.indexOf(LF); i !== -1; i = view.indexOf(LF, i + 1)) breaks++;
  for (let i = view.indexOf(CR); i !== -1; i = view.indexOf(CR, i + 1)) {
    const following = i + 1 < view.length ? view[i + 1] : nextByte;
    if (following !== LF) breaks++;
  }
  return breaks;
}
