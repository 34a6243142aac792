// Every error code Parley answers with. Codes are stable strings: reuse Sakari's where one exists
// (ACCT-008, ACCT-016, CONT-001, ...), otherwise a Parley code in the same AREA-NNN form.
// The README's error table is checked against this object by test/app/errors-catalog.test.ts.
export const errorCatalog = {
  'REQ-001': { status: 400, message: 'Invalid request' },
  'REQ-002': { status: 400, message: 'Malformed request body' },
  'REQ-003': { status: 413, message: 'Request body too large' },
  'REQ-004': { status: 415, message: 'Unsupported content type' },
  'REQ-005': { status: 404, message: 'Route not found' },
  'REQ-006': { status: 429, message: 'Too many requests' },
  'REQ-007': { status: 405, message: 'Method not allowed' },
  'AUTH-001': { status: 401, message: 'Missing or invalid access token' },
  'AUTH-002': { status: 401, message: 'The API credential behind this token has been revoked' },
  'AUTH-003': { status: 403, message: 'No user with that email in this account' },
  'AUTH-004': { status: 404, message: 'API credential not found' },
  'AUTH-005': { status: 409, message: 'API credential is already revoked' },
  'ACCT-008': { status: 403, message: 'Account ID is invalid' },
  'ACCT-016': { status: 403, message: 'Insufficient access to this API' },
  'USER-001': { status: 404, message: 'User not found' },
  'USER-002': { status: 409, message: 'A user with this email already exists in the account' },
  'SYS-001': { status: 500, message: 'Internal server error' },
  'SYS-002': { status: 503, message: 'Service unavailable' }
} as const satisfies Record<string, { status: number, message: string }>

export type ErrorCode = keyof typeof errorCatalog
