import type { DbOrTx } from '../../db/database.ts'
import { Refusal } from '../../errors/refusal.ts'
import { coerceAttributeValue } from '../../lib/attribute-values.ts'
import { parsePhone } from '../../shared/phone.ts'
import { allAttributes } from '../attributes/attributes.repository.ts'
import type { AttributeDefinitionRow } from '../attributes/attributes.table.ts'
import { listUserEmails } from '../users/users.repository.ts'
import type { AttributeValues, TagShape } from './contacts.table.ts'

export function parseMobile(
  number: string,
  country: string | undefined
): { mobile: string; country: string | null } | Refusal {
  const parsed = parsePhone(number, country)
  if (!parsed)
    return new Refusal('CONT-001', `Invalid mobile number ${number}${country ? ` for country ${country}` : ''}`)
  return { mobile: parsed.e164, country: parsed.country ?? null }
}

/** Tags keep their first position; a tag given twice keeps its last visibility. */
export function uniqueTags(tags: readonly TagShape[]): TagShape[] {
  const byName = new Map<string, TagShape>()
  for (const { tag, visible } of tags) {
    const name = tag.trim()
    if (name) byName.set(name, { tag: name, visible: visible ?? true })
  }
  return [...byName.values()]
}

/** The account's attribute definitions, looked up by name case-insensitively. */
export class AttributeCatalog {
  readonly #byName: Map<string, AttributeDefinitionRow>

  constructor(definitions: readonly AttributeDefinitionRow[]) {
    this.#byName = new Map(definitions.map((definition) => [definition.name.toLowerCase(), definition]))
  }

  static async load(db: DbOrTx, accountId: string): Promise<AttributeCatalog> {
    return new AttributeCatalog(await allAttributes(db, accountId))
  }

  find(name: string): AttributeDefinitionRow | undefined {
    return this.#byName.get(name.toLowerCase())
  }

  /** Values keyed by the definitions' names; a null or empty value is left out. */
  check(values: Iterable<[string, unknown]>): AttributeValues | Refusal {
    const checked: AttributeValues = {}
    for (const [name, raw] of values) {
      const definition = this.find(name)
      if (!definition)
        return new Refusal(
          'ATTR-001',
          `attributes.${name} is not a defined contact attribute; define it under /attributes/contacts first`
        )
      const coerced = coerceAttributeValue(definition.data_type, raw)
      if (coerced instanceof Refusal) return coerced.about(`attributes.${definition.name}`)
      if (coerced.value !== null) checked[definition.name] = coerced.value
    }
    return checked
  }
}

/** The account's users by id and by lower-cased email, for assignment columns and fields. */
export class UserDirectory {
  readonly #ids: Map<string, string>

  constructor(users: readonly { id: string; email: string }[]) {
    this.#ids = new Map()
    for (const user of users) {
      this.#ids.set(user.id, user.id)
      this.#ids.set(user.email.toLowerCase(), user.id)
    }
  }

  static async load(db: DbOrTx, accountId: string): Promise<UserDirectory> {
    return new UserDirectory(await listUserEmails(db, accountId))
  }

  resolve(idOrEmail: string): string | Refusal {
    const id = this.#ids.get(idOrEmail) ?? this.#ids.get(idOrEmail.toLowerCase())
    return id ?? new Refusal('CONT-004', `No user ${idOrEmail} in this account to assign the contact to`)
  }
}
