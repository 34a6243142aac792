import type { FastifyInstance } from 'fastify'
import type { TestAccount } from './fixtures.ts'
import { caller, created, uniqueNumber } from './api.ts'

export interface TestSender {
  senderId: string
  number: string
  groupId: string
}

/** An active sandbox sender in the group (the account's default group unless named). */
export async function sandboxSender(
  app: FastifyInstance,
  account: TestAccount,
  options: { groupId?: string; number?: string; throughput?: number; status?: string } = {}
): Promise<TestSender> {
  const api = caller(app, account)
  const groupId =
    options.groupId ??
    (await created(api('GET', '/groups?limit=100'))).find((group: { isDefault: boolean }) => group.isDefault).id
  const number = options.number ?? uniqueNumber()
  const sender = await created(
    api('POST', '/senders', {
      number,
      status: options.status ?? 'active',
      ...(options.throughput ? { throughput: options.throughput } : {})
    })
  )
  // The account's first sender joins the default group by itself.
  if (sender.group && sender.group.id !== groupId)
    await created(api('DELETE', `/groups/${sender.group.id}/senders/${sender.id}`))
  if (sender.group?.id !== groupId) await created(api('PUT', `/groups/${groupId}/senders/${sender.id}`))
  return { senderId: sender.id, number, groupId }
}

/** Polls until `done` holds, at most `timeoutMs`; answers the last value either way. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The message as the API shows it, once it reaches one of the statuses. */
export async function messageReaching(
  app: FastifyInstance,
  account: TestAccount,
  messageId: string,
  statuses: readonly string[]
) {
  const api = caller(app, account)
  return await eventually(
    async () => (await api('GET', `/messages/${messageId}`)).body.data,
    (message) => statuses.includes(message?.status)
  )
}

/** Sandbox settings that make tests quick: delivery reports after 50 ms. */
export const quickSandbox = { PARLEY_SANDBOX_DELIVERY_DELAY_MS: '50' }
