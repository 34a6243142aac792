import { sql, type RawBuilder, type Updateable } from 'kysely'
import { columnsOf, selectList } from '../../db/columns.ts'
import { countRows, withTotalCount } from '../../db/count.ts'
import { likePattern } from '../../db/text-match.ts'
import type { DbOrTx, Tx } from '../../db/database.ts'
import { newId } from '../../shared/ids.ts'
import { actorJson } from '../../shared/audit.ts'
import type { Page } from '../../shared/pagination.ts'
import type { NumberReadings } from '../../shared/phone.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { optedOutError, type ContactShape, type ContactsQueryShape, type MergeStrategy } from './contacts.schemas.ts'
import type { AttributeValues, ContactRow, ContactsTable, TagShape, ContactView } from './contacts.table.ts'

/** A contact as a create or import row gives it; undefined (or an empty value) means "not given". */
export interface ContactInput {
  mobile: string
  country: string | null
  firstName?: string
  lastName?: string
  email?: string
  tags?: TagShape[]
  attributes?: AttributeValues
  assignedUserId?: string
}

// Correlated subqueries rather than joins, so the one projection serves SELECT and INSERT … RETURNING.
const assignedUser = sql<
  ContactView['assigned_user']
>`(SELECT jsonb_build_object('id', u.id, 'email', u.email, 'firstName', u.first_name, 'lastName', u.last_name) FROM users u WHERE u.id = c.assigned_user_id)`
export const integrations = sql<
  ContactView['integrations']
>`(SELECT jsonb_object_agg(l.integration, jsonb_build_object('id', l.external_id)) FROM contact_integration_links l WHERE l.contact_id = c.id)`

function selectContacts(db: DbOrTx) {
  return db
    .selectFrom('contacts as c')
    .selectAll('c')
    .select([assignedUser.as('assigned_user'), integrations.as('integrations')])
}

// What a contact's view selects, every column by name, for prepared statements.
export const contactViewColumns = sql`${selectList(
  columnsOf<ContactsTable>({
    id: 0,
    account_id: 0,
    mobile: 0,
    country: 0,
    first_name: 0,
    last_name: 0,
    email: 0,
    tags: 0,
    attributes: 0,
    assigned_user_id: 0,
    opted_out_at: 0,
    opt_in_at: 0,
    blocked_at: 0,
    last_import_id: 0,
    created_at: 0,
    created_by: 0,
    updated_at: 0,
    updated_by: 0
  }),
  'c'
)}, ${assignedUser} AS assigned_user, ${integrations} AS integrations`

export async function findContact(db: DbOrTx, accountId: string, contactId: string): Promise<ContactView | undefined> {
  const { rows } = await sql<ContactView>`/* prepared contact_by_id */
    SELECT ${contactViewColumns}
    FROM contacts c WHERE c.account_id = ${accountId} AND c.id = ${contactId}`.execute(db)
  return rows[0]
}

/**
 * Removes one custom attribute's values from the account's contacts, one batch per step, and
 * answers each batch's contacts as changed, so their events stay in step with the rows.
 */
export async function* removeAttributeValues(
  tx: Tx,
  accountId: string,
  name: string,
  actor: ActorShape,
  batchRows = 5000
): AsyncGenerator<ContactView[]> {
  // Keyset order by id, so each batch starts where the last ended instead of rescanning (ids are
  // hex, so JavaScript and PostgreSQL order them alike).
  let after = ''
  for (;;) {
    const { rows } = await sql<ContactView>`
      UPDATE contacts c SET attributes = c.attributes - ${name}, updated_at = now(), updated_by = ${actorJson(actor)}::jsonb
      WHERE c.id IN (
        SELECT id FROM contacts WHERE account_id = ${accountId} AND id > ${after} AND attributes ? ${name} ORDER BY id LIMIT ${batchRows}
      )
      RETURNING c.*, ${assignedUser} AS assigned_user, ${integrations} AS integrations
    `.execute(tx)
    if (rows.length === 0) return
    after = rows.reduce((last, row) => (row.id > last ? row.id : last), after)
    yield rows
  }
}

export async function lockContact(tx: Tx, accountId: string, contactId: string): Promise<ContactRow | undefined> {
  return await tx
    .selectFrom('contacts')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', contactId)
    .forUpdate()
    .executeTakeFirst()
}

/**
 * `readings` of the mobile filter (src/shared/phone.ts numberReadings): a contact matches when its
 * number contains the filter as typed, or is what a create with its country would store from it.
 */
export async function listContacts(
  db: DbOrTx,
  accountId: string,
  query: ContactsQueryShape,
  readings?: NumberReadings
): Promise<Page<ContactView>> {
  let filtered = db.selectFrom('contacts as c').where('c.account_id', '=', accountId)
  for (const [field, column] of [
    ['firstName', 'c.first_name'],
    ['lastName', 'c.last_name'],
    ['email', 'c.email']
  ] as const) {
    const value = query[field]?.trim()
    if (value) filtered = filtered.where(column, 'ilike', likePattern(value))
  }
  // Trimmed: an unencoded "+" in `mobile=+1415…` arrives as a space.
  const mobile = query.mobile?.trim()
  if (mobile) {
    const byCountry = readings?.byCountry ?? []
    const numbers = byCountry.map((reading) => reading.e164)
    // Every branch an index condition (trigram, then the number index twice), so the planner can OR
    // their bitmaps: the country pairs alone, a subquery, made every mobile filter a full scan.
    filtered = filtered.where((eb) =>
      eb.or([
        eb('c.mobile', 'ilike', likePattern(mobile)),
        eb('c.mobile', '=', readings?.international ?? ''),
        eb.and([
          eb('c.mobile', '=', sql<string>`ANY(${numbers}::text[])`),
          eb(
            sql<string>`(c.country, c.mobile)`,
            'in',
            sql<string>`(SELECT * FROM unnest(${byCountry.map((reading) => reading.country)}::text[], ${numbers}::text[]))`
          )
        ])
      ])
    )
  }
  const tags =
    query.tags
      ?.split(',')
      .map((tag) => tag.trim())
      .filter(Boolean) ?? []
  if (tags.length > 0)
    filtered = filtered.where(sql<boolean>`c.tags @> ${JSON.stringify(tags.map((tag) => ({ tag })))}::jsonb`)
  if (query.optedOut !== undefined) filtered = filtered.where('c.opted_out_at', query.optedOut ? 'is not' : 'is', null)
  if (query.blocked === true)
    filtered = filtered.where((eb) => eb.or([eb('c.opted_out_at', 'is not', null), eb('c.blocked_at', 'is not', null)]))
  if (query.blocked === false) filtered = filtered.where('c.opted_out_at', 'is', null).where('c.blocked_at', 'is', null)
  if (query.assignedUserId) filtered = filtered.where('c.assigned_user_id', '=', query.assignedUserId)

  const given = filters.filter(
    (field) => !(query[field] === undefined || (typeof query[field] === 'string' && query[field].trim() === ''))
  )
  const onlyTag = given.length === 1 && given[0] === 'tags' && new Set(tags).size === 1 ? tags[0]! : undefined
  const items = await filtered
    .selectAll('c')
    .select([assignedUser.as('assigned_user'), integrations.as('integrations')])
    .orderBy('c.created_at')
    .orderBy('c.id')
    .offset(query.offset)
    .limit(query.limit)
    .execute()
  return await withTotalCount(query, items, () => {
    if (given.length === 0) return countContacts(db, accountId)
    if (onlyTag !== undefined) return countTagged(db, accountId, onlyTag)
    return countRows(filtered)
  })
}

const filters = ['firstName', 'lastName', 'email', 'mobile', 'tags', 'optedOut', 'blocked', 'assignedUserId'] as const

/** The account's contact count, kept by statement triggers (migration 20261124210000). */
async function countContacts(db: DbOrTx, accountId: string): Promise<number> {
  const {
    rows: [row]
  } = await sql<{
    total: number
  }>`SELECT coalesce(sum(total), 0)::bigint AS total FROM contact_counts WHERE account_id = ${accountId}`.execute(db)
  return row!.total
}

/** How many of the account's contacts carry the tag, kept by statement triggers (migration 20261130130000). */
async function countTagged(db: DbOrTx, accountId: string, tag: string): Promise<number> {
  const {
    rows: [row]
  } = await sql<{
    total: number
  }>`SELECT coalesce(sum(total), 0)::bigint AS total FROM contact_tag_counts WHERE account_id = ${accountId} AND tag = ${tag}`.execute(
    db
  )
  return row!.total
}

// What each mergeStrategy does to an existing contact (docs/api/contacts.md, "mergeStrategy"). `excluded` is the
// row as sent, with NULL for a field not given; the country always comes with the number.
const mergeClauses: Record<MergeStrategy, string> = {
  append: `first_name = coalesce(excluded.first_name, c.first_name),
    last_name = coalesce(excluded.last_name, c.last_name),
    email = coalesce(excluded.email, c.email),
    country = excluded.country,
    tags = CASE WHEN excluded.tags = '[]'::jsonb THEN c.tags ELSE merge_contact_tags(c.tags, excluded.tags) END,
    attributes = c.attributes || excluded.attributes,
    assigned_user_id = coalesce(excluded.assigned_user_id, c.assigned_user_id)`,
  core: `first_name = coalesce(excluded.first_name, c.first_name),
    last_name = coalesce(excluded.last_name, c.last_name),
    email = coalesce(excluded.email, c.email),
    country = excluded.country`,
  remove: `first_name = excluded.first_name,
    last_name = excluded.last_name,
    email = excluded.email,
    country = excluded.country,
    tags = excluded.tags,
    attributes = excluded.attributes,
    assigned_user_id = excluded.assigned_user_id`
}

const orNull = (value: string | undefined) => (value === undefined || value === '' ? null : value)

/** keep: an existing contact is left as it is (a send or an inbound message only names its number). */
export type UpsertStrategy = MergeStrategy | 'keep'

/**
 * The one way contacts are written by number: inserts new numbers and merges existing ones in one
 * statement, however many rows. ON CONFLICT on (account_id, mobile) makes concurrent writers of one
 * number meet on the unique index instead of creating two contacts. With an importId, a number that
 * this import already wrote is skipped (not returned), which is how a duplicate inside one file is
 * found across batches. With 'keep', existing contacts are answered unchanged (inserted: false).
 */
export async function upsertContacts(
  tx: Tx,
  accountId: string,
  rows: readonly (ContactInput & { id: string })[],
  strategy: UpsertStrategy,
  actor: ActorShape,
  importId: string | null = null
): Promise<(ContactView & { inserted: boolean })[]> {
  if (rows.length === 0) return []
  if (strategy === 'keep') return await keepOrInsertContacts(tx, accountId, rows, actor)
  return await writeContacts(tx, accountId, rows, strategy, actor, importId)
}

/**
 * One INSERT … ON CONFLICT for the batch; 'keep' inserts new numbers and answers only those. A
 * contact just inserted has no integration links yet, so only merged rows look them up (the lookup
 * was 7% of a 10,000-row insert, EXPLAIN ANALYZE).
 */
async function writeContacts(
  tx: Tx,
  accountId: string,
  rows: readonly (ContactInput & { id: string })[],
  strategy: UpsertStrategy,
  actor: ActorShape,
  importId: string | null
): Promise<(ContactView & { inserted: boolean })[]> {
  if (rows.length === 0) return []
  const { rows: written } = await sql<ContactView & { inserted: boolean }>`
    WITH r AS (${batchRecords(rows, false)})
    ${upsertFrom(accountId, strategy, actor, importId)}
  `.execute(tx)
  return written
}

// The batch travels as one JSON parameter (JSON.stringify is native; node-pg's array escaping is not).
function batchRecords(rows: readonly (ContactInput & { id: string })[], withEventIds: boolean) {
  const batch = JSON.stringify(
    rows.map((row) => ({
      id: row.id,
      event_id: withEventIds ? newId() : undefined,
      mobile: row.mobile,
      country: row.country,
      first_name: orNull(row.firstName),
      last_name: orNull(row.lastName),
      email: orNull(row.email),
      tags: row.tags?.length ? row.tags : null,
      attributes: row.attributes ?? null,
      assigned_user_id: orNull(row.assignedUserId)
    }))
  )
  return sql`SELECT * FROM json_to_recordset(${batch}::json)
    AS r(id text, event_id text, mobile text, country text, first_name text, last_name text, email text, tags jsonb, attributes jsonb, assigned_user_id text)`
}

/** The INSERT … ON CONFLICT … RETURNING of the rows of `r`. */
function upsertFrom(accountId: string, strategy: UpsertStrategy, actor: ActorShape, importId: string | null) {
  const actorText = actorJson(actor)
  const onConflict =
    strategy === 'keep'
      ? sql`DO NOTHING`
      : sql`DO UPDATE SET
      ${sql.raw(mergeClauses[strategy])},
      last_import_id = excluded.last_import_id,
      updated_at = now(),
      updated_by = excluded.updated_by
    ${importId === null ? sql`` : sql`WHERE c.last_import_id IS DISTINCT FROM excluded.last_import_id`}`
  return sql`
    INSERT INTO contacts AS c (id, account_id, mobile, country, first_name, last_name, email, tags, attributes, assigned_user_id, last_import_id, created_by, updated_by)
    SELECT r.id, ${accountId}, r.mobile, r.country, r.first_name, r.last_name, r.email,
      coalesce(r.tags, '[]'::jsonb), coalesce(r.attributes, '{}'::jsonb), r.assigned_user_id,
      ${importId}, ${actorText}::jsonb, ${actorText}::jsonb
    FROM r
    ON CONFLICT (account_id, mobile) ${onConflict}
    RETURNING c.*, (c.xmax = 0) AS inserted, ${assignedUser} AS assigned_user,
      CASE WHEN c.xmax = 0 THEN NULL ELSE ${integrations} END AS integrations`
}

/** What an imported row became; `contact` only when asked for. */
export interface ImportedContact {
  mobile: string
  inserted: boolean
  contact?: ContactShape
}

/**
 * An import batch's upsert and its contact-created/-updated events in one statement: PostgreSQL
 * builds each event's contact (contactJson) from the upsert's RETURNING, so the contacts are not
 * shipped to Node, mapped and shipped back. A number this import already wrote is skipped, as in
 * upsertContacts. Events are written in number order, as the batch is.
 */
export async function importContactRows(
  db: DbOrTx,
  accountId: string,
  rows: readonly (ContactInput & { id: string })[],
  strategy: MergeStrategy,
  actor: ActorShape,
  importId: string,
  returnContacts: boolean
): Promise<ImportedContact[]> {
  if (rows.length === 0) return []
  const { rows: written } = await sql<ImportedContact>`
    WITH r AS (${batchRecords(rows, true)}),
    w AS (${upsertFrom(accountId, strategy, actor, importId)}),
    p AS (SELECT w.mobile, w.inserted, ${contactJson} AS contact FROM w),
    e AS (
      INSERT INTO events (id, account_id, event_type, payload)
      SELECT r.event_id, ${accountId}, CASE WHEN p.inserted THEN 'contact-created' ELSE 'contact-updated' END, p.contact
      FROM p JOIN r ON r.mobile = p.mobile
      ORDER BY p.mobile COLLATE "C"
    )
    SELECT p.mobile, p.inserted${returnContacts ? sql`, p.contact` : sql``} FROM p
  `.execute(db)
  return written
}

// toContact (contacts.schemas.ts) in SQL over a row `w` of the upsert's RETURNING;
// test/resources/contacts-import-events.test.ts checks that the two agree.
const isoTime = (column: string) => sql.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)
// audit()'s withNames: an actor without both names shows its display name as firstName.
const namedActor = (column: string) =>
  sql.raw(`CASE WHEN ${column} ? 'firstName' AND ${column} ? 'lastName' THEN ${column}
    ELSE ${column} || jsonb_build_object(
      'firstName', coalesce(nullif(${column}->'firstName', 'null'), nullif(${column}->'name', 'null'), '""'),
      'lastName', coalesce(nullif(${column}->'lastName', 'null'), '""')) END`)
const contactJson = sql<ContactShape>`jsonb_build_object(
    'id', w.id,
    'mobile', jsonb_strip_nulls(jsonb_build_object('number', w.mobile, 'country', w.country)),
    'tags', w.tags,
    'attributes', w.attributes,
    'valid', w.opted_out_at IS NULL AND w.blocked_at IS NULL,
    'assignedUser', w.assigned_user,
    'integrations', coalesce(w.integrations, '{}'::jsonb),
    'created', jsonb_build_object('at', ${isoTime('w.created_at')}, 'by', ${namedActor('w.created_by')}),
    'updated', jsonb_build_object('at', ${isoTime('w.updated_at')}, 'by', ${namedActor('w.updated_by')})
  ) || jsonb_strip_nulls(jsonb_build_object(
    'firstName', w.first_name,
    'lastName', w.last_name,
    'email', w.email,
    'error', CASE WHEN least(w.opted_out_at, w.blocked_at) IS NOT NULL
      THEN ${JSON.stringify(optedOutError)}::jsonb END,
    'blocked', ${isoTime('least(w.opted_out_at, w.blocked_at)')},
    'optIn', ${isoTime('w.opt_in_at')},
    'optedOut', ${isoTime('w.opted_out_at')}
  ))`

async function contactsByMobile(tx: Tx, accountId: string, mobiles: readonly string[]): Promise<ContactView[]> {
  if (mobiles.length === 0) return []
  const { rows } = await sql<ContactView>`/* prepared contacts_by_mobile */
    SELECT ${contactViewColumns}
    FROM contacts c WHERE c.account_id = ${accountId} AND c.mobile = ANY(${mobiles}::text[])`.execute(tx)
  return rows
}

/**
 * 'keep': reads the numbers first and inserts only those with no contact, so the usual inbound
 * message (from a known contact) costs one statement instead of an insert and a read. A number a
 * concurrent writer inserts between the two is met by ON CONFLICT and read again, committed by then.
 */
async function keepOrInsertContacts(
  tx: Tx,
  accountId: string,
  rows: readonly (ContactInput & { id: string })[],
  actor: ActorShape
): Promise<(ContactView & { inserted: boolean })[]> {
  const existing = await contactsByMobile(tx, accountId, [...new Set(rows.map((row) => row.mobile))])
  const known = new Set(existing.map((row) => row.mobile))
  const missing = rows.filter((row) => !known.has(row.mobile))
  const inserted = await writeContacts(tx, accountId, missing, 'keep', actor, null)
  const insertedMobiles = new Set(inserted.map((row) => row.mobile))
  const raced = await contactsByMobile(
    tx,
    accountId,
    [...new Set(missing.map((row) => row.mobile))].filter((mobile) => !insertedMobiles.has(mobile))
  )
  return [...inserted, ...[...existing, ...raced].map((row) => ({ ...row, inserted: false }))]
}

/** Contact rows by id, in no particular order; ids of other accounts or of no contact are left out. */
export async function findContactRows(
  db: DbOrTx,
  accountId: string,
  contactIds: readonly string[]
): Promise<ContactRow[]> {
  if (contactIds.length === 0) return []
  return await db
    .selectFrom('contacts')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', 'in', contactIds)
    .execute()
}

type ContactColumns = Omit<
  Updateable<ContactsTable>,
  'id' | 'account_id' | 'created_by' | 'created_at' | 'updated_at' | 'updated_by'
>
/** Column values, or SQL computing them from the row (e.g. merging tags). */
export type ContactChanges = {
  [K in keyof ContactColumns]?: ContactColumns[K] | RawBuilder<NonNullable<ContactColumns[K]>>
}

/** Adds tags to the stored ones; merge_contact_tags keeps the stored tag where a name is given twice. */
export function tagsAdded(tags: TagShape[]): ContactChanges {
  return { tags: sql<string>`merge_contact_tags(tags, ${JSON.stringify(tags)}::jsonb)` }
}

/** Removes the tag of that name, keeping the others in their order. */
export function tagRemoved(tag: string): ContactChanges {
  return {
    tags: sql<string>`(SELECT coalesce(jsonb_agg(t.value ORDER BY t.ord), '[]'::jsonb) FROM jsonb_array_elements(tags) WITH ORDINALITY AS t(value, ord) WHERE t.value->>'tag' <> ${tag})`
  }
}

// Opting out is the contact's own request (STOP); blocking is the account's decision. Both make the
// contact unreachable (CONT-010). Unblocking never lifts an opt-out: only an opt-in (START) does.
export const reachabilityChanges = {
  'opt-out': { opted_out_at: sql<Date>`coalesce(opted_out_at, now())` },
  'opt-in': { opted_out_at: null, opt_in_at: sql<Date>`now()` },
  block: { blocked_at: sql<Date>`coalesce(blocked_at, now())` },
  unblock: { blocked_at: null }
} as const satisfies Record<string, ContactChanges>

export type ReachabilityChange = keyof typeof reachabilityChanges

export async function updateContactRow(
  db: DbOrTx,
  accountId: string,
  contactId: string,
  changes: ContactChanges,
  actor: ActorShape
): Promise<ContactView | undefined> {
  const updated = await db
    .updateTable('contacts')
    .set({ ...changes, updated_at: sql<Date>`now()`, updated_by: actorJson(actor) })
    .where('account_id', '=', accountId)
    .where('id', '=', contactId)
    .returning('id')
    .executeTakeFirst()
  return updated ? await findContact(db, accountId, contactId) : undefined
}

export async function deleteContactRow(db: DbOrTx, accountId: string, contactId: string): Promise<boolean> {
  const deleted = await db
    .deleteFrom('contacts')
    .where('account_id', '=', accountId)
    .where('id', '=', contactId)
    .executeTakeFirst()
  return deleted.numDeletedRows > 0n
}

export async function findContacts(
  db: DbOrTx,
  accountId: string,
  contactIds: readonly string[]
): Promise<ContactView[]> {
  if (contactIds.length === 0) return []
  return await selectContacts(db)
    .where('c.account_id', '=', accountId)
    .where('c.id', 'in', contactIds)
    .orderBy('c.id')
    .execute()
}
