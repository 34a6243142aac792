import t from 'tap'
import { keywordOf } from '../../src/lib/keywords.ts'

t.test('single-word keywords, any case, trimmed', async (t) => {
  for (const word of [
    'STOP',
    'stop',
    ' Stop \n',
    'STOPALL',
    'cancel',
    'END',
    'optout',
    'OPT-OUT',
    'quit',
    'REVOKE',
    'Unsubscribe'
  ])
    t.equal(keywordOf(word), 'opt-out', word)
  for (const word of ['START', 'unstop']) t.equal(keywordOf(word), 'opt-in', word)
  for (const word of ['HELP', 'info']) t.equal(keywordOf(word), 'help', word)
  for (const text of ['stop please', 'STOP!', 'opt out', '', 'hello']) t.equal(keywordOf(text), undefined, text)
})
