// When rejected rows make the whole import fail. Explicit limits come from the
// upload metadata; by default only a file that is mostly wrong fails.

export interface ErrorPolicy {
  /** Fail as soon as more than this many records are rejected. */
  maxErrors?: number;
  /** Fail at the end when rejected / records exceeds this (0–1). */
  maxErrorRatio?: number;
}

/** Without a policy: more than half of the first records rejected means a wrong file, delimiter or mapping. */
export const DEFAULT_SAMPLE_RECORDS = 1000;
export const DEFAULT_SAMPLE_RATIO = 0.5;

/**
 * A reason to stop, or null. `atEnd` is true once the whole file was read.
 * Called after every record that was rejected and once at the end.
 */
export function errorPolicyVerdict(
  policy: ErrorPolicy,
  records: number,
  rejected: number,
  atEnd: boolean,
): string | null {
  if (policy.maxErrors !== undefined && rejected > policy.maxErrors)
    return `More than ${policy.maxErrors} rows were rejected (maxErrors); see the errors report`;
  if (policy.maxErrorRatio !== undefined) {
    if (atEnd && records > 0 && rejected / records > policy.maxErrorRatio)
      return `${rejected} of ${records} rows were rejected, more than maxErrorRatio ${policy.maxErrorRatio}; see the errors report`;
    return null;
  }
  // Counted within the first records only, so the check can fire the moment it is certain.
  if (policy.maxErrors === undefined && records <= DEFAULT_SAMPLE_RECORDS) {
    if (rejected > DEFAULT_SAMPLE_RECORDS * DEFAULT_SAMPLE_RATIO)
      return `More than half of the first ${DEFAULT_SAMPLE_RECORDS} rows were rejected: the file, its delimiter or the mapping is probably wrong (see the errors report)`;
  }
  return null;
}
