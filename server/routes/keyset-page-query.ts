// The query string of the routes that page by record number (keyset): any page is as fast as the first.
export interface KeysetPageQuery {
  limit: number;
  after: number;
}

export const KEYSET_PAGE_QUERY_SCHEMA = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    after: { type: 'integer', minimum: 0, default: 0 },
  },
  additionalProperties: false,
} as const;
