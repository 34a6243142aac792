import { randomBytes } from 'node:crypto'
import { Webhook } from 'standardwebhooks'

/** A Standard Webhooks secret: whsec_ and 32 random bytes in base64, as receivers' libraries expect. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`
}

/**
 * The webhook-signature header: one `v1,<signature>` per secret, space-separated. During a rotation
 * both the new and the previous secret sign, so a receiver verifies with whichever it holds.
 */
export function signatureHeader(secrets: readonly string[], messageId: string, at: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(messageId, at, body)).join(' ')
}
