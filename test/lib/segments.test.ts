import t from 'tap'
import { countSegments, splitSegments } from '../../src/lib/segments.ts'

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
const EMOJI = '😀'

t.test('counts as carriers do', async (t) => {
  const cases: Array<[string, string, { encoding: string; segments: number; characters: number; units: number }]> = [
    ['empty text still takes a part', '', { encoding: 'GSM-7', segments: 1, characters: 0, units: 0 }],
    ['plain ASCII', 'Hello', { encoding: 'GSM-7', segments: 1, characters: 5, units: 5 }],
    [
      '160 GSM characters fit one part',
      'a'.repeat(160),
      { encoding: 'GSM-7', segments: 1, characters: 160, units: 160 }
    ],
    [
      '161 GSM characters take two parts',
      'a'.repeat(161),
      { encoding: 'GSM-7', segments: 2, characters: 161, units: 161 }
    ],
    [
      '306 GSM characters fit two parts of 153',
      'a'.repeat(306),
      { encoding: 'GSM-7', segments: 2, characters: 306, units: 306 }
    ],
    [
      '307 GSM characters take three parts',
      'a'.repeat(307),
      { encoding: 'GSM-7', segments: 3, characters: 307, units: 307 }
    ],
    [
      '459 fit three parts, 460 take four',
      'a'.repeat(460),
      { encoding: 'GSM-7', segments: 4, characters: 460, units: 460 }
    ],
    ['the whole basic set is GSM-7', GSM_BASIC, { encoding: 'GSM-7', segments: 1, characters: 127, units: 127 }],
    [
      'each extension character counts double',
      '^{}\\[~]|€\f',
      { encoding: 'GSM-7', segments: 1, characters: 10, units: 20 }
    ],
    [
      '80 euro signs are 160 septets: one part',
      '€'.repeat(80),
      { encoding: 'GSM-7', segments: 1, characters: 80, units: 160 }
    ],
    [
      '81 euro signs are 162 septets: two parts',
      '€'.repeat(81),
      { encoding: 'GSM-7', segments: 2, characters: 81, units: 162 }
    ],
    [
      '159 letters and one extension character overflow a part',
      'a'.repeat(159) + '€',
      { encoding: 'GSM-7', segments: 2, characters: 160, units: 161 }
    ],
    [
      'one accented letter outside GSM makes the text UCS-2',
      'Café ç',
      { encoding: 'UCS-2', segments: 1, characters: 6, units: 6 }
    ],
    ['70 UCS-2 characters fit one part', 'ж'.repeat(70), { encoding: 'UCS-2', segments: 1, characters: 70, units: 70 }],
    [
      '71 UCS-2 characters take two parts',
      'ж'.repeat(71),
      { encoding: 'UCS-2', segments: 2, characters: 71, units: 71 }
    ],
    [
      '134 UCS-2 characters fit two parts of 67',
      'ж'.repeat(134),
      { encoding: 'UCS-2', segments: 2, characters: 134, units: 134 }
    ],
    [
      '135 UCS-2 characters take three parts',
      'ж'.repeat(135),
      { encoding: 'UCS-2', segments: 3, characters: 135, units: 135 }
    ],
    ['an emoji is two UTF-16 units', EMOJI, { encoding: 'UCS-2', segments: 1, characters: 1, units: 2 }],
    ['35 emoji fill one part exactly', EMOJI.repeat(35), { encoding: 'UCS-2', segments: 1, characters: 35, units: 70 }],
    ['36 emoji take two parts', EMOJI.repeat(36), { encoding: 'UCS-2', segments: 2, characters: 36, units: 72 }],
    [
      'an emoji makes GSM text UCS-2, extension characters then count once',
      `Price: 5€ ${EMOJI}`,
      { encoding: 'UCS-2', segments: 1, characters: 11, units: 12 }
    ],
    ['Chinese', '你好，世界', { encoding: 'UCS-2', segments: 1, characters: 5, units: 5 }]
  ]
  for (const [name, text, expected] of cases) t.same(countSegments(text), expected, name)
})

t.test('a part never ends in the middle of an escape sequence', async (t) => {
  // 152 letters leave one septet in the first part: the euro sign (two septets) opens the second.
  const text = 'a'.repeat(152) + '€' + 'b'.repeat(10)
  t.equal(countSegments(text).units, 164)
  const { encoding, parts } = splitSegments(text)
  t.equal(encoding, 'GSM-7')
  t.same(parts, ['a'.repeat(152), '€' + 'b'.repeat(10)])
})

t.test('a part never ends in the middle of a surrogate pair', async (t) => {
  // 66 units leave one in the first part: the emoji (two units) opens the second.
  const text = 'ж'.repeat(66) + EMOJI + 'ж'.repeat(10)
  const { encoding, parts } = splitSegments(text)
  t.equal(encoding, 'UCS-2')
  t.same(parts, ['ж'.repeat(66), EMOJI + 'ж'.repeat(10)])
  t.equal(countSegments(text).segments, 2)
})

t.test('keeping characters whole can cost a part more than units / capacity', async (t) => {
  // 134 units would fit two parts of 67, but the pair at unit 67 is pushed to the second part.
  const text = 'ж'.repeat(66) + EMOJI.repeat(34)
  t.equal(countSegments(text).units, 134)
  t.equal(countSegments(text).segments, 3)
  t.equal(splitSegments(text).parts.length, 3)
})

t.test('parts rebuild the text and respect the part capacity', async (t) => {
  for (const text of [
    'a'.repeat(1000),
    '€a'.repeat(300),
    `${EMOJI}x`.repeat(200),
    'Hello {{{firstName}}} ' + 'ж'.repeat(300)
  ]) {
    const { encoding, parts } = splitSegments(text)
    t.equal(parts.join(''), text)
    t.equal(parts.length, countSegments(text).segments)
    for (const part of parts)
      t.ok(countSegments(part).units <= (encoding === 'GSM-7' ? 153 : 67), `${encoding} part fits`)
  }
})

t.test('a single-part text is one part, unsplit', async (t) => {
  t.same(splitSegments('Hi there'), { encoding: 'GSM-7', parts: ['Hi there'] })
  t.same(splitSegments(''), { encoding: 'GSM-7', parts: [''] })
})
