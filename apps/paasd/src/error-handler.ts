import type { FastifyError, FastifyInstance, FastifySchemaValidationError } from 'fastify';

import { ERROR_STATUS, PaasError, isErrorId, isOutOfSpace } from '@paas/core';
import type { ErrorId } from '@paas/core';

const BY_STATUS: Readonly<Record<number, ErrorId>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'invalid_params',
  429: 'rate_limit',
  503: 'service_unavailable',
};

/** Turns schema errors into one sentence that names fields, never the values sent. */
export function describeValidation(context: string, errors: readonly FastifySchemaValidationError[]): string {
  const parts = errors.map((error) => {
    const where = error.instancePath ? `field ${JSON.stringify(error.instancePath.slice(1).replaceAll('/', '.'))}` : context;
    const params = error.params;
    if (error.keyword === 'additionalProperties') return `${where} has an unknown field "${String(params.additionalProperty)}"`;
    if (error.keyword === 'required') return `${where} is missing "${String(params.missingProperty)}"`;
    return `${where} ${error.message ?? 'is invalid'}`;
  });
  return `Invalid ${context}: ${[...new Set(parts)].join('; ')}. See docs/api.md.`;
}

/** Every error leaves as `{id, message}`; unknown ones as internal_error, logged in full. */
export function installErrorHandlers(app: FastifyInstance, options: { readonly dataDir: string }): void {
  app.setErrorHandler((error: FastifyError | PaasError, request, reply) => {
    if (isOutOfSpace(error)) {
      request.log.error({ err: error }, 'no space left in the data dir');
      return reply.status(507).send({
        id: 'insufficient_storage',
        message: `No space left in PAAS_DATA_DIR (${options.dataDir}): free space on its disk or move the data dir, then try again.`,
      });
    }
    if (error instanceof PaasError) {
      if ('retryAfterSeconds' in error && typeof error.retryAfterSeconds === 'number') void reply.header('retry-after', String(error.retryAfterSeconds));
      return reply.status(error.status).send({ id: error.id, message: error.message });
    }
    if (error.validation) {
      const message = describeValidation(error.validationContext ?? 'request', error.validation);
      return reply.status(422).send({ id: 'invalid_params', message });
    }
    const status = error.statusCode ?? 500;
    const id = BY_STATUS[status];
    if (status < 500 && id) {
      return reply.status(status).send({ id, message: clientMessage(error, id) });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({
      id: 'internal_error',
      message: 'Something went wrong on the server; it has been logged. Try again, and report it if it persists.',
    });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      id: 'not_found',
      message: `No such route: ${request.method} ${request.url.split('?')[0] ?? ''}. See docs/api.md for the API's routes.`,
    }),
  );
}

function clientMessage(error: FastifyError, id: ErrorId): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      // The parser's own message quotes the body, which may hold config values: leave it out.
      return 'The request body is not valid JSON: send a JSON document with Content-Type: application/json.';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The request body is larger than the API accepts (1 MiB).';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported Content-Type: send JSON with Content-Type: application/json.';
    default:
      return isErrorId(id) && ERROR_STATUS[id] === error.statusCode ? error.message : 'Bad request.';
  }
}
