import { html } from '../../lib/html.ts'

/** What a mail template produces: the subject and the same message as plain text and as HTML. */
export interface RenderedMail {
  subject: string
  text: string
  html: string
}

/** A template: a plain function from what the mail is about to the rendered mail (see mail-kinds.ts). */
export type MailTemplate<D> = (data: D, publicUrl: string) => RenderedMail

export interface MailContent {
  subject: string
  greeting: string
  paragraphs: readonly string[]
  /** The one thing the mail asks its reader to do, and where. */
  action: { label: string; url: string }
}

/** An absolute link into Parley at PARLEY_PUBLIC_URL, which may itself have a path. */
export function linkTo(publicUrl: string, path: string, query: Record<string, string> = {}): string {
  const url = new URL(`${publicUrl}${path}`)
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value)
  return url.toString()
}

/**
 * The one layout of Parley's mail: the text part says everything the HTML part says, link
 * included, so a client that shows only one loses nothing. Every value is escaped in the HTML.
 */
export function composeMail({ subject, greeting, paragraphs, action }: MailContent): RenderedMail {
  const text = [greeting, ...paragraphs, `${action.label}: ${action.url}`, '— Parley'].join('\n\n') + '\n'
  const markup = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${subject}</title>
      </head>
      <body style="font-family: sans-serif; line-height: 1.5; max-width: 40em">
        <p>${greeting}</p>
        ${paragraphs.map((paragraph) => html`<p>${paragraph}</p> `)}
        <p><a href="${action.url}">${action.label}</a></p>
        <p style="color: #555">Or open this link: ${action.url}</p>
        <p>— Parley</p>
      </body>
    </html> `
  return { subject, text, html: markup.markup }
}
