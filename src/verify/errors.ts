/** A verification that could not run (not a mismatch): carries the collection and what it was verifying. */
export class VerifyError extends Error {
  constructor(
    readonly collection: string,
    readonly subject: string,
    cause: unknown,
  ) {
    super(`verify ${collection} ${subject}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'VerifyError';
  }
}
