/** Errors a route answers with their own status code and message (Fastify reads `statusCode`). */
export class InspectorError extends Error {
  constructor(
    readonly statusCode: 400 | 404,
    message: string,
  ) {
    super(message);
    this.name = 'InspectorError';
  }
}

export class NotFoundError extends InspectorError {
  constructor(message: string) {
    super(404, message);
    this.name = 'NotFoundError';
  }
}

export class InvalidInputError extends InspectorError {
  constructor(message: string) {
    super(400, message);
    this.name = 'InvalidInputError';
  }
}
