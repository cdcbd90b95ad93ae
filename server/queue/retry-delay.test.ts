import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retry-delay.ts';

describe('retryDelayMs', () => {
  it('doubles with each attempt, half fixed and half jitter', () => {
    expect(retryDelayMs(1, 1000, () => 0)).toBe(500);
    expect(retryDelayMs(1, 1000, () => 1)).toBe(1000);
    expect(retryDelayMs(2, 1000, () => 0)).toBe(1000);
    expect(retryDelayMs(3, 1000, () => 0.5)).toBe(3000);
  });

  it('never shrinks from one attempt to the next, whatever the jitter', () => {
    for (let attempt = 1; attempt < 12; attempt++) {
      expect(retryDelayMs(attempt + 1, 1000, () => 0)).toBeGreaterThanOrEqual(retryDelayMs(attempt, 1000, () => 1));
    }
  });

  it('is capped at one hour', () => {
    expect(retryDelayMs(40, 1000, () => 1)).toBe(3_600_000);
  });
});
