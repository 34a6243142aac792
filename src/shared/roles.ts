/** A user's role, which decides what the user may do (src/plugins/auth.ts); stored in users.role. */
export const ROLES = ['Administrator', 'Campaign Manager', 'Sender', 'Read Only'] as const
export type Role = (typeof ROLES)[number]
