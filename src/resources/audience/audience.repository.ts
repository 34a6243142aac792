// Who a send, a campaign or a list reaches: a send's filters (tags, attributes, a list), a list's
// members or its filter, and their counts, each as one SQL condition over contacts `c`.
import { sql, type RawBuilder } from 'kysely'
import { countRows, withTotalCount } from '../../db/count.ts'
import type { DbOrTx } from '../../db/database.ts'
import { likePattern } from '../../db/text-match.ts'
import { ApiError } from '../../errors/api-error.ts'
import { Refusal } from '../../errors/refusal.ts'
import { coerceAttributeValue, type AttributeValue } from '../../lib/attribute-values.ts'
import { AttributeCatalog } from '../contacts/contact-values.ts'
import type { Page, PageRequest } from '../../shared/pagination.ts'
import type { ContactRow } from '../contacts/contacts.table.ts'
import { findList } from '../lists/lists.repository.ts'
import type { ListFilterShape } from '../lists/lists.schemas.ts'
import type { ListCounts, ListRow } from '../lists/lists.table.ts'
import type { SendFiltersShape } from '../messages/messages.schemas.ts'

const CORE_COLUMNS: Record<string, 'first_name' | 'last_name' | 'email' | 'mobile' | 'country'> = {
  firstname: 'first_name',
  lastname: 'last_name',
  email: 'email',
  mobile: 'mobile',
  country: 'country'
}

/**
 * The filters as one SQL condition over contacts `c`: every tag, and every attribute comparison
 * (the reference's comparators; a list with = or != means any of / none of). Custom attributes are
 * compared as the jsonb values they are stored as, so numbers compare as numbers.
 */
export async function filterCondition(
  db: DbOrTx,
  accountId: string,
  filters: SendFiltersShape,
  importRun?: string
): Promise<RawBuilder<boolean>> {
  const conditions: RawBuilder<boolean>[] = []
  if (importRun !== undefined) conditions.push(sql<boolean>`c.last_import_id = ${importRun}`)
  const tags = filters.tags ?? []
  if (tags.length > 0) conditions.push(sql<boolean>`c.tags @> ${JSON.stringify(tags.map((tag) => ({ tag })))}::jsonb`)
  const catalog = (filters.attributes?.length ?? 0) > 0 ? await AttributeCatalog.load(db, accountId) : undefined
  for (const filter of filters.attributes ?? []) {
    const name = filter.name ?? filter.attribute
    if (!name) throw new ApiError('REQ-001', 'body.filters.attributes: each filter needs a name')
    const values = Array.isArray(filter.value) ? filter.value : [filter.value]
    if (values.length !== 1 && filter.comparator !== '=' && filter.comparator !== '!=') {
      throw new ApiError('REQ-001', `body.filters.attributes: ${filter.comparator} compares with one value, not a list`)
    }
    const core = CORE_COLUMNS[name.toLowerCase()]
    let operands: RawBuilder<unknown>[]
    let subject: RawBuilder<unknown>
    if (core) {
      subject = sql`c.${sql.ref(core)}`
      operands = values.map((value) => sql`${String(value)}::text`)
    } else {
      const definition = catalog!.find(name)
      if (!definition) throw new ApiError('ATTR-001', `filters.attributes: ${name} is not a defined contact attribute`)
      subject = sql`(c.attributes -> ${definition.name})`
      operands = values.map((value) => {
        const coerced = coerceAttributeValue(definition.data_type, value)
        if (coerced instanceof Refusal || coerced.value === null)
          throw new ApiError(
            'ATTR-002',
            `filters.attributes: ${definition.name} ${coerced instanceof Refusal ? coerced.message : 'needs a value'}`
          )
        return sql`${JSON.stringify(coerced.value satisfies AttributeValue)}::jsonb`
      })
    }
    const comparator = sql.raw(filter.comparator === '!=' ? '=' : filter.comparator)
    const anyMatch = sql.join(
      operands.map((operand) => sql`${subject} ${comparator} ${operand}`),
      sql` OR `
    )
    conditions.push(
      filter.comparator === '!='
        ? sql<boolean>`(${subject} IS NOT NULL AND NOT (${anyMatch}))`
        : sql<boolean>`(${anyMatch})`
    )
  }
  if (filters.list !== undefined) conditions.push(await listAudience(db, accountId, filters.list))
  // No condition at all: a campaign without an audience filter, which sends to every contact.
  if (conditions.length === 0) return sql<boolean>`true`
  return sql<boolean>`(${sql.join(conditions, sql` AND `)})`
}

/** A list's members as a condition; a list the account does not have is LIST-001, as for a missing one. */
async function listAudience(db: DbOrTx, accountId: string, listId: string): Promise<RawBuilder<boolean>> {
  const list = await findList(db, accountId, listId)
  if (!list) throw new ApiError('LIST-001', `filters.list: list ${listId} not found`)
  return await listCondition(db, accountId, list)
}

export async function countFiltered(db: DbOrTx, accountId: string, condition: RawBuilder<boolean>): Promise<number> {
  const { count } = await db
    .selectFrom('contacts as c')
    .where('c.account_id', '=', accountId)
    .where(condition)
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow()
  return Number(count)
}

/** The next matching contacts after `afterId`, in id order: the expansion's resumable cursor. */
export async function nextFiltered(
  db: DbOrTx,
  accountId: string,
  condition: RawBuilder<boolean>,
  afterId: string | null,
  limit: number
): Promise<ContactRow[]> {
  let query = db.selectFrom('contacts as c').selectAll('c').where('c.account_id', '=', accountId).where(condition)
  if (afterId !== null) query = query.where('c.id', '>', afterId)
  return await query.orderBy('c.id').limit(limit).execute()
}

const reachable = sql<boolean>`(c.opted_out_at IS NULL AND c.blocked_at IS NULL)`

/**
 * A dynamic list's filter as one SQL condition over contacts `c`. Tags and attributes mean what they
 * mean in a send's filters (the same builder); `q` matches the contact list's name, email and mobile.
 */
async function dynamicCondition(db: DbOrTx, accountId: string, filter: ListFilterShape): Promise<RawBuilder<boolean>> {
  const conditions: RawBuilder<boolean>[] = []
  if ((filter.tags?.length ?? 0) > 0 || (filter.attributes?.length ?? 0) > 0)
    conditions.push(await filterCondition(db, accountId, { tags: filter.tags, attributes: filter.attributes }))
  const q = filter.q?.trim()
  if (q) {
    const pattern = likePattern(q)
    conditions.push(
      sql<boolean>`(c.first_name ILIKE ${pattern} OR c.last_name ILIKE ${pattern} OR c.email ILIKE ${pattern} OR c.mobile ILIKE ${pattern})`
    )
  }
  const valid = filter.valid ?? (filter.blocked === undefined ? undefined : !filter.blocked)
  if (valid !== undefined) conditions.push(valid ? reachable : sql<boolean>`NOT ${reachable}`)
  return conditions.length === 0 ? sql<boolean>`true` : sql<boolean>`(${sql.join(conditions, sql` AND `)})`
}

/** The list's members as one SQL condition over contacts `c`: its rows, or its filter now. */
export async function listCondition(db: DbOrTx, accountId: string, list: ListRow): Promise<RawBuilder<boolean>> {
  if (list.filter !== null) return await dynamicCondition(db, accountId, list.filter)
  return sql<boolean>`EXISTS (SELECT 1 FROM list_members m WHERE m.list_id = ${list.id} AND m.contact_id = c.id)`
}

export async function countAudience(
  db: DbOrTx,
  accountId: string,
  condition: RawBuilder<boolean>
): Promise<ListCounts> {
  const row = await db
    .selectFrom('contacts as c')
    .where('c.account_id', '=', accountId)
    .where(condition)
    .select([
      sql<number>`count(*)::int`.as('total'),
      sql<number>`(count(*) FILTER (WHERE ${reachable}))::int`.as('valid')
    ])
    .executeTakeFirstOrThrow()
  return { total: row.total, valid: row.valid }
}

/** Ids of the audience's contacts, a page at a time in id order. */
export async function audiencePage(
  db: DbOrTx,
  accountId: string,
  condition: RawBuilder<boolean>,
  page: PageRequest
): Promise<Page<string>> {
  const matching = db.selectFrom('contacts as c').where('c.account_id', '=', accountId).where(condition)
  const rows = await matching.select('c.id').orderBy('c.id').offset(page.offset).limit(page.limit).execute()
  return await withTotalCount(
    page,
    rows.map((row) => row.id),
    () => countRows(matching)
  )
}
