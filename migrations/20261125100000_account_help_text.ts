import type { Kysely } from 'kysely'

// The account's own reply to HELP and INFO; null answers with the instance default (PARLEY_HELP_TEXT).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('help_text', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('help_text').execute()
}
