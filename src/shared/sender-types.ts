/** The kinds of sending number, which carriers and prices tell apart (src/lib/pricing.ts); stored in senders.type. */
export const SENDER_TYPES = ['local', 'tollfree', 'shortcode', 'alphanumeric'] as const
export type SenderType = (typeof SENDER_TYPES)[number]
