// A mistake in how a command was called: printed as is, exit code 2.
export class UsageError extends Error {
  override name = 'UsageError';
}
