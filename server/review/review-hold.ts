// Review mode: an upload whose metadata says `review=true` is held once its
// bytes are in. Nothing imports it until someone posts its mapping to
// POST /api/uploads/:id/import; until then it expires like an unfinished upload.
import { sql } from 'kysely';

const reviewValue = (metadata: Record<string, string | null | undefined>) =>
  metadata.review?.trim().toLowerCase() ?? '';

/** Refuses a `review` value other than true or false, with a message naming the key. */
export function checkReviewMetadata(metadata: Record<string, string | null | undefined>): void {
  const value = reviewValue(metadata);
  if (value !== '' && value !== 'true' && value !== 'false')
    throw new Error('Invalid metadata "review": expected true or false');
}

/** The upload asked to be held for review. Same rule as asksForReview, for a row already read. */
export function wantsReview(metadata: Record<string, string | null | undefined>): boolean {
  return reviewValue(metadata) === 'true';
}

/**
 * SQL: the upload asked for review. Written against the stored jsonb so a page of
 * reconciliation or expiry candidates can be picked in one query on both databases.
 */
export const asksForReview = sql<boolean>`coalesce(lower(trim(uploads.metadata->>'review')) = 'true', false)`;
