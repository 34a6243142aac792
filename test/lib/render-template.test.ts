import t from 'tap'
import {
  compileTemplate,
  renderTemplate,
  TemplateSyntaxError,
  templateRefusal,
  type TemplateContact
} from '../../src/lib/render-template.ts'

const jane: TemplateContact = {
  firstName: 'Jane',
  lastName: 'Doe',
  email: 'jane@example.com',
  mobile: { number: '+14155550123', country: 'US' },
  attributes: { plan: 'Gold', visits: 3, member: true, since: '2024-05-01' }
}

t.test("Sakari's placeholders", async (t) => {
  const cases: Array<[string, string]> = [
    ['Hi {{{firstName}}}. Grab 20% off today only at ABC Shoes', 'Hi Jane. Grab 20% off today only at ABC Shoes'],
    ['Hi {{{contact.firstName}}} {{{contact.lastName}}}', 'Hi Jane Doe'],
    ['Hi {{ firstName }}, Welcome to Sakari!', 'Hi Jane, Welcome to Sakari!'],
    ['{{{lastName}}} <{{{email}}}>', 'Doe <jane@example.com>'],
    ['{{{contact.email}}}', 'jane@example.com'],
    ['Your number {{{mobile}}}', 'Your number +14155550123'],
    ['{{{contact.mobile}}} in {{{contact.mobile.country}}}', '+14155550123 in US'],
    ['{{{contact.mobile.number}}}', '+14155550123'],
    ['Plan {{{contact.attributes.plan}}}', 'Plan Gold'],
    [
      'Plan {{{plan}}}, {{{visits}}} visits, member {{{member}}}, since {{{since}}}',
      'Plan Gold, 3 visits, member true, since 2024-05-01'
    ],
    ['{{#plan}}You are on {{plan}}.{{/plan}}{{^coupon}} No coupon.{{/coupon}}', 'You are on Gold. No coupon.']
  ]
  for (const [template, expected] of cases) t.equal(renderTemplate(template, jane), expected, template)
})

t.test('missing values render empty', async (t) => {
  const bare: TemplateContact = { mobile: { number: '+447700900123' } }
  t.equal(renderTemplate('Hi {{{firstName}}}!', bare), 'Hi !')
  t.equal(
    renderTemplate(
      '[{{{contact.lastName}}}][{{{email}}}][{{{contact.attributes.plan}}}][{{{plan}}}][{{{mobile.country}}}]',
      bare
    ),
    '[][][][][]'
  )
  t.equal(renderTemplate('[{{{firstName}}}][{{{mobile}}}]', {}), '[][]')
  t.equal(renderTemplate('[{{{firstName}}}][{{{plan}}}]', { firstName: null, attributes: null }), '[][]')
  t.equal(renderTemplate('[{{{unknown.deep.path}}}]', jane), '[]')
})

t.test('nothing is HTML-escaped, even in double braces', async (t) => {
  const contact: TemplateContact = { firstName: 'Tom & Jerry', lastName: "<O'Brien>", attributes: { quote: '"hi"' } }
  t.equal(renderTemplate('{{firstName}} {{lastName}} {{quote}}', contact), 'Tom & Jerry <O\'Brien> "hi"')
  t.equal(renderTemplate('{{{firstName}}} {{&lastName}}', contact), "Tom & Jerry <O'Brien>")
})

t.test('a core field wins over a custom attribute of the same name', async (t) => {
  t.equal(
    renderTemplate('{{{firstName}}} / {{{contact.attributes.firstName}}}', {
      firstName: 'Core',
      attributes: { firstName: 'Custom' }
    }),
    'Core / Custom'
  )
})

t.test('a compiled template renders each recipient', async (t) => {
  const compiled = compileTemplate('Hi {{{firstName}}}, {{{plan}}}')
  t.equal(compiled.render({ firstName: 'Ann', attributes: { plan: 'A' } }), 'Hi Ann, A')
  t.equal(compiled.render({ firstName: 'Bob' }), 'Hi Bob, ')
  t.equal(compiled.render({ firstName: 'Cy', attributes: { plan: 'C' } }), 'Hi Cy, C')
})

t.test('text without placeholders is unchanged', async (t) => {
  t.equal(renderTemplate('No placeholders: 100% {braces} & <tags>', jane), 'No placeholders: 100% {braces} & <tags>')
})

t.test('a syntax error is a clear error', async (t) => {
  t.equal(templateRefusal('Hi {{{firstName}}}')?.message, undefined)
  t.equal(templateRefusal('Hi {{firstName')?.message, 'Unclosed tag at 14')
  t.match(templateRefusal('Hi {{{firstName}}')?.message, /Unclosed tag/)
  t.match(templateRefusal('{{#vip}}Hello')?.message, /Unclosed section "vip"/)
  t.match(templateRefusal('Hello{{/vip}}')?.message, /Unopened section "vip"/)
  t.match(templateRefusal('{{#a}}x{{/b}}')?.message, /Unclosed section "a"/)
  t.throws(() => compileTemplate('Hi {{firstName'), TemplateSyntaxError)
  t.throws(() => renderTemplate('Hi {{firstName', jane), { name: 'TemplateSyntaxError', detail: 'Unclosed tag at 14' })
})

t.test("only the contact's own fields render: nothing from Object.prototype", async (t) => {
  const names = [
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'contact.__proto__',
    'contact.attributes.constructor',
    'mobile.constructor'
  ]
  for (const name of names) {
    t.equal(renderTemplate(`[{{${name}}}]`, jane), '[]', name)
    t.equal(renderTemplate(`[{{{${name}}}}]`, jane), '[]', `${name} unescaped`)
  }
  t.equal(renderTemplate('{{#constructor}}x{{/constructor}}', jane), '', 'sections see no prototype either')
  t.equal(renderTemplate('{{mobile}} {{plan}}', jane), '+14155550123 Gold', 'own fields still render')
})
