// The tus discovery request (OPTIONS on the creation endpoint): which checksum
// algorithm, if any, both the server and the CLI support. Asked once per run.
import { CLIENT_CHECKSUM_ALGORITHMS, type ClientChecksumAlgorithm } from './checksum-http-stack.ts';
import { ServiceError } from './service-api.ts';

const listOf = (header: string | null) =>
  (header ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);

/** The strongest algorithm both sides know, when the server offers the checksum extension. */
export function pickChecksumAlgorithm(
  tusExtension: string | null,
  tusChecksumAlgorithm: string | null,
): ClientChecksumAlgorithm | null {
  if (!listOf(tusExtension).includes('checksum')) return null;
  const offered = listOf(tusChecksumAlgorithm);
  return CLIENT_CHECKSUM_ALGORITHMS.find((algorithm) => offered.includes(algorithm)) ?? null;
}

/**
 * Asks the server; an unreachable server is a ServiceError like any other call,
 * but a refused OPTIONS just means no checksums (an older or stricter server).
 */
export async function discoverChecksumAlgorithm(
  endpoint: string,
  token: string,
): Promise<ClientChecksumAlgorithm | null> {
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'OPTIONS',
      headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new ServiceError(0, `cannot reach ${endpoint} (${cause})`);
  }
  await response.body?.cancel();
  if (!response.ok) return null;
  return pickChecksumAlgorithm(response.headers.get('Tus-Extension'), response.headers.get('Tus-Checksum-Algorithm'));
}
