import Mustache from 'mustache'

/** Markup that is already safe: what `html` builds, so one fragment can sit inside another unescaped. */
export class SafeHtml {
  readonly markup: string
  constructor(markup: string) {
    this.markup = markup
  }
  toString(): string {
    return this.markup
  }
}

type Interpolated = SafeHtml | string | number | readonly Interpolated[]

function render(value: Interpolated): string {
  if (value instanceof SafeHtml) return value.markup
  if (Array.isArray(value)) return value.map((item: Interpolated) => render(item)).join('')
  // Mustache's escaping (& < > " ' / ` =) makes a value safe in text and in quoted attributes alike.
  return Mustache.escape(String(value))
}

/**
 * A tagged template for HTML: every interpolated value is escaped unless it is itself `html`, so a
 * name, a subject or a link can never add markup (`html\`<p>${name}</p>\``).
 */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  return new SafeHtml(strings.reduce((markup, text, index) => markup + render(values[index - 1]!) + text))
}
