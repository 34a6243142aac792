import type { DbOrTx } from '../../db/database.ts'
import { ApiError } from '../../errors/api-error.ts'
import { audit } from '../../shared/audit.ts'
import type { Page } from '../../shared/pagination.ts'
import type { Principal } from '../../shared/principal.ts'
import { assertCanUseGroup, usableGroupIdsQuery } from '../groups/group-access.ts'
import { findMessageView, listMessages } from './messages.repository.ts'
import type { MessageShape, MessagesQueryShape, SendJobShape } from './messages.schemas.ts'
import { toMessage } from './messages.mapper.ts'
import { findSendJob } from './send/send-jobs.repository.ts'

export async function getMessage(db: DbOrTx, principal: Principal, messageId: string): Promise<MessageShape> {
  const view = await findMessageView(db, principal.accountId, messageId, usableGroupIdsQuery(db, principal))
  if (!view) throw new ApiError('MSG-002', `Message ${messageId} not found`)
  return toMessage(view)
}

export async function fetchMessages(
  db: DbOrTx,
  principal: Principal,
  query: MessagesQueryShape
): Promise<Page<MessageShape>> {
  const { group, direction, ...filter } = query
  const groupId = group === undefined ? undefined : (await assertCanUseGroup(db, principal, group)).id
  const page = await listMessages(db, principal.accountId, usableGroupIdsQuery(db, principal), {
    ...filter,
    ...(groupId ? { groupId } : {}),
    ...(direction ? { outgoing: direction === 'outbound' } : {})
  })
  return { items: page.items.map(toMessage), totalCount: page.totalCount }
}

/** A send job of a group the principal works in. */
export async function getSendJob(db: DbOrTx, principal: Principal, jobId: string): Promise<SendJobShape> {
  const job = await findSendJob(db, principal.accountId, jobId, usableGroupIdsQuery(db, principal))
  if (!job) throw new ApiError('MSG-006', `Send job ${jobId} not found`)
  return {
    jobId: job.id,
    status: job.status,
    requested: job.requested,
    valid: job.valid,
    invalid: job.invalid,
    estimatedPrice: Number(job.estimated_price),
    created: audit(job.created_at, job.created_by)
  }
}
