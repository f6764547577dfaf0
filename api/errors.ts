// HTTP errors with a status and a message naming the problem; the one error handler renders them.
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly code = 'error',
    readonly field?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} not found`, 'not_found');
export const unauthorized = (message = 'missing or invalid credentials') => new HttpError(401, message, 'unauthorized');
