// Every error code Parley answers with. Codes are stable strings: reuse Sakari's where one exists
// (ACCT-008, ACCT-016, CONT-001, ...), otherwise a Parley code in the same AREA-NNN form.
// The README's error table and the OpenAPI description are generated from it (npm run openapi).
// Codes with a `status` are HTTP answers. Codes marked `on: 'message'` are never an HTTP answer: they
// appear in a message's `error`, where adapters map their carrier's own codes to them, so a message's
// error means the same whatever carrier carried it (src/carriers/carrier-errors.ts).
export const errorCatalog = {
  'REQ-001': { status: 400, message: 'Invalid request' },
  'REQ-002': { status: 400, message: 'Malformed request body' },
  'REQ-003': { status: 413, message: 'Request body too large' },
  'REQ-004': { status: 415, message: 'Unsupported content type' },
  'REQ-005': { status: 404, message: 'Route not found' },
  'REQ-006': { status: 429, message: 'Too many requests' },
  'REQ-007': { status: 405, message: 'Method not allowed' },
  'REQ-008': { status: 400, message: 'A value contains a character that cannot be stored' },
  'REQ-009': { status: 400, message: 'Malformed request' },
  'REQ-010': { status: 414, message: 'Request URL or path parameter too long' },
  'REQ-011': { status: 431, message: 'Request headers or URL too large' },
  'REQ-012': { status: 408, message: 'Request timed out' },
  'AUTH-001': { status: 401, message: 'Missing or invalid access token' },
  'AUTH-002': { status: 401, message: 'The API credential behind this token has been revoked' },
  'AUTH-003': { status: 403, message: 'No user with that email in this account' },
  'AUTH-004': { status: 404, message: 'API credential not found' },
  'AUTH-005': { status: 409, message: 'API credential is already revoked' },
  'ACCT-008': { status: 403, message: 'Account ID is invalid' },
  'ACCT-016': { status: 403, message: 'Insufficient access to this API' },
  'USER-001': { status: 404, message: 'User not found' },
  'USER-002': { status: 409, message: 'A user with this email already exists in the account' },
  'USER-003': { status: 409, message: 'The account must keep at least one Administrator' },
  'GRP-001': { status: 404, message: 'Group not found' },
  'GRP-002': { status: 409, message: 'A group with this API code already exists in the account' },
  'GRP-003': { status: 409, message: 'The group already has a sender with this dialling code' },
  'GRP-004': { status: 409, message: 'The default group cannot be deleted' },
  'GRP-005': { status: 409, message: 'The account must keep a default group: make another group the default instead' },
  'GRP-006': { status: 409, message: 'Another group became the default at the same time; try again' },
  'GRP-007': { status: 400, message: 'Invalid office hours' },
  'GRP-008': { status: 400, message: 'Invalid call forwarding number' },
  'GRP-009': { status: 404, message: 'The user is not a member of this group' },
  'GRP-010': { status: 404, message: 'The sender is not in this group' },
  'SNDR-001': { status: 404, message: 'Sender not found' },
  'SNDR-002': { status: 409, message: 'This number is already a sender' },
  'SNDR-003': { status: 409, message: 'The sender already belongs to another group' },
  'SNDR-004': { status: 400, message: 'Invalid sender number' },
  'SNDR-005': { status: 400, message: 'Unknown carrier: not configured in this installation' },
  'CONT-001': { status: 400, message: 'Invalid mobile number' },
  'CONT-002': { status: 404, message: 'Contact not found' },
  'CONT-003': { status: 409, message: 'Another contact already has this mobile number' },
  'CONT-004': { status: 400, message: 'Unknown assigned user' },
  'CONT-005': { status: 400, message: 'Invalid email address' },
  'CONT-010': { status: 409, message: 'Contact has requested no further communication' },
  'ATTR-001': { status: 400, message: 'Undefined custom attribute' },
  'ATTR-002': { status: 400, message: 'Attribute value does not match its data type' },
  'ATTR-003': { status: 404, message: 'Attribute definition not found' },
  'ATTR-004': { status: 409, message: 'An attribute with this name already exists' },
  'ATTR-005': { status: 409, message: 'Attribute is in use by contacts' },
  'ATTR-006': { status: 400, message: 'Attribute name is reserved for a core field' },
  'IMP-001': { status: 400, message: 'Mandatory column missing' },
  'IMP-002': { status: 400, message: 'Column does not map to a core field or a defined attribute' },
  'IMP-003': { status: 400, message: 'Row has a different number of fields than the header' },
  'IMP-004': { status: 400, message: 'Row is not valid UTF-8' },
  'IMP-005': { status: 400, message: 'Row exceeds the maximum row size' },
  'IMP-006': { status: 400, message: 'Mobile number appears earlier in this file' },
  'IMP-007': { status: 404, message: 'Import job not found' },
  'IMP-008': { status: 413, message: 'File exceeds the maximum import size' },
  'IMP-009': { status: 400, message: 'Malformed CSV' },
  'IMP-010': { status: 400, message: 'No CSV file in the request' },
  'IMP-011': { status: 400, message: 'Row contains a character that cannot be stored (a NUL byte)' },
  'INT-003': { status: 409, message: 'Mobile number is synced with another record of this integration' },
  'TMPL-001': { status: 404, message: 'Template not found' },
  'TMPL-002': { status: 400, message: 'Template has a syntax error' },
  'CONV-001': { status: 404, message: 'Invalid conversation id' },
  'CONV-002': { status: 400, message: 'Marking a conversation read needs an acting user' },
  'MSG-001': { status: 400, message: 'No available phone number to send from' },
  'MSG-002': { status: 404, message: 'Message not found' },
  'MSG-003': { status: 400, message: 'A send needs recipients: contacts, conversations or filters' },
  'MSG-004': { status: 400, message: 'No group to send from: name one in phoneNumberFilter.group.id' },
  'MSG-005': { status: 400, message: 'The receiving number does not take sandbox inbound messages' },
  'MSG-006': { status: 404, message: 'Send job not found' },
  'MSG-007': { status: 400, message: 'Message too long' },
  'MSG-024': { status: 409, message: 'Duplicate message: the same text was sent to this contact within 30 minutes' },
  'MSG-050': { status: 422, message: 'This Idempotency-Key was used with a different request' },
  'MSG-008': { on: 'message', message: 'Marked as spam by the carrier' },
  'MSG-009': { on: 'message', message: 'Prohibited by the carrier' },
  'MSG-018': { on: 'message', message: 'Could not be routed to the destination' },
  'MSG-019': { on: 'message', message: 'Undelivered: unreachable handset, landline or content blocked' },
  'MSG-020': { on: 'message', message: 'The number is a landline' },
  'MSG-023': { on: 'message', message: 'Rejected by the carrier' },
  'MSG-025': { on: 'message', message: 'Unknown carrier error' },
  'MSG-026': { on: 'message', message: 'Timed out' },
  'MSG-028': { on: 'message', message: 'Throttled; will be retried' },
  'MSG-029': { on: 'message', message: 'Sender exceeded its daily throughput limit' },
  'MSG-033': { on: 'message', message: 'Carrier service failure' },
  'MSG-036': { on: 'message', message: 'Toll-free messaging blocked' },
  'CARR-001': { status: 404, message: 'No carrier by that name takes HTTP callbacks' },
  'CARR-002': { status: 403, message: 'Missing or invalid carrier signature' },
  'SYS-001': { status: 500, message: 'Internal server error' },
  'SYS-002': { status: 503, message: 'Service unavailable' }
} as const satisfies Record<string, { status: number; message: string } | { on: 'message'; message: string }>

type Catalog = typeof errorCatalog
/** A code an HTTP answer carries. */
export type ErrorCode = { [K in keyof Catalog]: Catalog[K] extends { status: number } ? K : never }[keyof Catalog]
/** A code only a message's `error` carries (a carrier's verdict on it). */
export type MessageErrorCode = { [K in keyof Catalog]: Catalog[K] extends { on: 'message' } ? K : never }[keyof Catalog]

/** The catalogue as Markdown table rows, for the README and the OpenAPI description. */
export function errorTableRows(): string[] {
  return Object.entries(errorCatalog).map(
    ([code, entry]) => `| ${code} | ${'status' in entry ? entry.status : 'none (on a message)'} | ${entry.message} |`
  )
}
