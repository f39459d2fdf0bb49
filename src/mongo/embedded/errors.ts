/**
 * Command failures as MongoDB reports them: `{ ok: 0, errmsg, code, codeName }`. The driver turns these
 * into MongoServerError, so code and codeName must match the real server's for callers that branch on them.
 */
export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  Unauthorized: 13,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  EmptyFieldName: 56,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  UnknownReplWriteConcern: 79,
  CommandNotSupported: 115,
  Location40324: 40324, // Unrecognized pipeline stage name
  /** The IDL parser's "BSON field '<command>.<field>' is an unknown field." */
  Location40415: 40415,
  NotImplemented: 238,
  DuplicateKey: 11000,
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes;

export class CommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  /** Extra fields merged into the error reply (e.g. keyPattern/keyValue on a duplicate key). */
  readonly extra: Record<string, unknown>;

  constructor(codeName: ErrorCodeName, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.codeName = codeName;
    this.code = ErrorCodes[codeName];
    this.extra = extra;
  }

  toReply(): Record<string, unknown> {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
}

export const badValue = (message: string): CommandError => new CommandError('BadValue', message);
export const notSupported = (what: string): CommandError =>
  new CommandError('NotImplemented', `${what} is not supported by the embedded MongoDB server`);

/** What mongod answers for a command field it does not know. */
export const unknownField = (path: string): CommandError =>
  new CommandError('Location40415', `BSON field '${path}' is an unknown field.`);
