import { countProblems, type Problem, renderProblem } from '../../../common/problem';

/**
 * The App Mesh API's errors as the official clients read them (AWS restJson1):
 * the HTTP status, the error type in the `x-amzn-errortype` header, and a JSON
 * body `{"message": ...}`. The AWS SDKs and CLI turn the type into their typed
 * exception (BadRequestException, NotFoundException, ...). The authentication
 * errors are the ones AWS's front door returns for any service.
 */

export const API_ERROR_STATUS = {
  BadRequestException: 400,
  LimitExceededException: 400,
  TooManyTagsException: 400,
  ForbiddenException: 403,
  NotFoundException: 404,
  ConflictException: 409,
  ResourceInUseException: 409,
  TooManyRequestsException: 429,
  InternalServerErrorException: 500,
  ServiceUnavailableException: 503,
  // AWS's front door (not in the App Mesh model; the SDKs surface them by name).
  UnknownOperationException: 404,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
} as const;

export type ApiErrorType = keyof typeof API_ERROR_STATUS;

export class ApiError extends Error {
  constructor(
    readonly type: ApiErrorType,
    message: string,
  ) {
    super(message);
    this.name = type;
  }

  get status(): number {
    return API_ERROR_STATUS[this.type];
  }
}

/** `<context>: <problem>`, or `<context> (n problems):` and one `  - <problem>` line each (rendered by renderProblem). */
export function problemsText(problems: readonly Problem[], context: string): string {
  const lines = problems.map(renderProblem);
  if (lines.length === 1) return `${context}: ${lines[0]}`;
  return `${context} (${countProblems(lines.length)}):\n${lines.map((p) => `  - ${p}`).join('\n')}`;
}

/** One message naming every problem (field by field) of a refused request. */
export function badRequest(problems: readonly Problem[], context = 'The request is not valid'): ApiError {
  return new ApiError('BadRequestException', problemsText(problems, context));
}

export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: { message: string };
}

export function errorAnswer(e: ApiError): ErrorAnswer {
  return { status: e.status, headers: { 'x-amzn-errortype': e.type }, body: { message: e.message } };
}
