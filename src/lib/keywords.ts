// The single-word keywords carriers and Sakari honour (docs/api/conversations.md, "Inbound messages and keywords"),
// matched case-insensitively after trimming; "stop please" is a message, not a keyword.
const KEYWORDS = {
  'opt-out': ['STOP', 'STOPALL', 'CANCEL', 'END', 'OPTOUT', 'OPT-OUT', 'QUIT', 'REVOKE', 'UNSUBSCRIBE'],
  'opt-in': ['START', 'UNSTOP'],
  help: ['HELP', 'INFO']
} as const

export type Keyword = keyof typeof KEYWORDS

const byWord = new Map<string, Keyword>(
  Object.entries(KEYWORDS).flatMap(([keyword, words]) => words.map((word) => [word, keyword as Keyword] as const))
)

export function keywordOf(text: string): Keyword | undefined {
  return byWord.get(text.trim().toUpperCase())
}

export const OPT_OUT_CONFIRMATION =
  'You have been unsubscribed and will receive no further messages. Reply START to subscribe again.'
export const OPT_IN_CONFIRMATION = 'You have been subscribed again. Reply STOP to unsubscribe.'
