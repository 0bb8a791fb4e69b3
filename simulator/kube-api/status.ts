// Kubernetes `Status` bodies and the error type that carries one through the fake server:
// the client (and mesh-soak's error reporting) reads reason, code and message from them.

import type { JsonObject } from './json.js';

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'Unauthorized'
  | 'InternalError'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  | 'UnsupportedMediaType'
  | 'Forbidden'
  | 'Expired';

export interface StatusCause {
  reason: 'NamespaceTerminating' | 'FieldManagerConflict' | 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate' | 'FieldValueForbidden' | 'FieldValueTypeInvalid';
  message: string;
  field: string;
}

export interface StatusDetails {
  name?: string;
  uid?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
}

export class ApiStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details: StatusDetails = {},
  ) {
    super(message);
    this.name = 'ApiStatusError';
  }
}

export function statusBody(code: number, reason: StatusReason, message: string, details: StatusDetails = {}): JsonObject {
  const d: JsonObject = {};
  if (details.name !== undefined) d.name = details.name;
  if (details.group !== undefined) d.group = details.group;
  if (details.kind !== undefined) d.kind = details.kind;
  if (details.uid !== undefined) d.uid = details.uid;
  if (details.causes !== undefined) d.causes = details.causes.map((c) => ({ ...c }));
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details: d,
    code,
  };
}

export function successStatus(details: Omit<StatusDetails, 'causes'>): JsonObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...details } };
}

export function notFound(kindPlural: string, group: string, name: string): ApiStatusError {
  const what = group ? `${kindPlural}.${group}` : kindPlural;
  return new ApiStatusError(404, 'NotFound', `${what} "${name}" not found`, { name, group, kind: kindPlural });
}
