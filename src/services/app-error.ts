/**
 * An expected failure with a stable code, raised by services and mapped to HTTP at the edge
 * (src/http/errors.ts). Unexpected failures stay ordinary Errors and become a logged 500.
 */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 422 | 429 | 503;

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: ErrorStatus,
    message: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
