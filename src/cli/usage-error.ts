/** A mistake on the command line (or in the variables it reads): exit 1, with the usage hint. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
