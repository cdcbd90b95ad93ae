// Exponential backoff with "equal jitter": half the delay is fixed, half random,
// so retries of many jobs failing together spread out instead of stampeding.
const MAX_DELAY_MS = 3_600_000;

export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(MAX_DELAY_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
