import Mustache from 'mustache'
import { Refusal } from '../errors/refusal.ts'

/** What a template can say about a recipient: the core attributes and the account's custom ones. */
export interface TemplateContact {
  firstName?: string | null
  lastName?: string | null
  email?: string | null
  mobile?: { number: string; country?: string | null } | null
  attributes?: Record<string, unknown> | null
}

export interface CompiledTemplate {
  render: (contact: TemplateContact) => string
}

export class TemplateSyntaxError extends Error {
  /** Mustache's own words, e.g. "Unclosed tag at 14". */
  readonly detail: string

  constructor(detail: string) {
    super(`Template syntax error: ${detail}`)
    this.name = 'TemplateSyntaxError'
    this.detail = detail
  }
}

// SMS is not HTML: `{{firstName}}` renders "Tom & Jerry", not "Tom &amp; Jerry".
const plainText = { escape: (value: unknown) => String(value) }

// `{{{mobile}}}` renders the number, while `{{{mobile.country}}}` still reaches the country.
function mobileView(mobile: TemplateContact['mobile']) {
  if (!mobile) return undefined
  return ownFields({ number: mobile.number, country: mobile.country ?? undefined, toString: () => mobile.number })
}

/**
 * The names Sakari's templates use: `{{{firstName}}}` and `{{{contact.firstName}}}` for core
 * fields, `{{{contact.attributes.<name>}}}` and `{{{<name>}}}` for custom attributes. A core field
 * wins over a custom attribute of the same name. Missing values render empty (mustache's rule).
 */
function viewOf(contact: TemplateContact) {
  const core = {
    firstName: contact.firstName ?? undefined,
    lastName: contact.lastName ?? undefined,
    email: contact.email ?? undefined,
    mobile: mobileView(contact.mobile)
  }
  const attributes = ownFields(contact.attributes ?? {})
  return ownFields({ ...attributes, ...core, contact: ownFields({ ...core, attributes }) })
}

// Mustache looks names up along the prototype chain, so `{{__proto__}}` or `{{constructor}}` would
// reach Object.prototype; a view without a prototype has only the contact's own fields.
function ownFields<T extends object>(fields: T): T {
  return Object.assign(Object.create(null) as T, fields)
}

/**
 * Parses the template once so a send renders it per recipient without parsing again. Each
 * compiled template has its own writer: mustache's global cache would keep every template text
 * ever sent for the life of the process.
 */
export function compileTemplate(template: string): CompiledTemplate {
  const writer = new Mustache.Writer()
  try {
    writer.parse(template)
  } catch (error) {
    throw new TemplateSyntaxError((error as Error).message)
  }
  return { render: (contact) => writer.render(template, viewOf(contact), undefined, plainText) }
}

export function renderTemplate(template: string, contact: TemplateContact): string {
  return compileTemplate(template).render(contact)
}

/** Why the template cannot be rendered (mustache's words, TMPL-002), or undefined when it can. */
export function templateRefusal(template: string): Refusal | undefined {
  try {
    compileTemplate(template)
    return undefined
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return new Refusal('TMPL-002', error.detail)
    throw error
  }
}
