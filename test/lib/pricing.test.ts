import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.ts'
import { DEFAULT_PRICES, priceOf, pricesWithOverrides, rateFor } from '../../src/lib/pricing.ts'

t.test('rates by sender type and destination country', async (t) => {
  t.equal(rateFor(DEFAULT_PRICES, 'local', 'US'), 0.0079)
  t.equal(rateFor(DEFAULT_PRICES, 'local', 'us'), 0.0079, 'the country is matched ignoring case')
  t.equal(rateFor(DEFAULT_PRICES, 'local', 'GB'), 0.04)
  t.equal(rateFor(DEFAULT_PRICES, 'local', 'FR'), 0.05, 'a country without its own rate pays the default')
  t.equal(rateFor(DEFAULT_PRICES, 'local', undefined), 0.05, 'so does an unknown country')
  t.equal(rateFor(DEFAULT_PRICES, 'shortcode', 'US'), 0.0065)
  t.equal(rateFor(DEFAULT_PRICES, 'tollfree', 'CA'), 0.0079)
  t.equal(rateFor(DEFAULT_PRICES, 'alphanumeric', 'DE'), 0.06)
})

t.test('price is segments × rate, without binary drift', async (t) => {
  t.equal(priceOf(1, 0.0079), 0.0079)
  t.equal(priceOf(3, 0.0079), 0.0237)
  t.equal(priceOf(7, 0.1), 0.7, '7 × 0.1 is 0.7000000000000001 in floating point')
  t.equal(priceOf(0, 0.05), 0)
})

t.test('overrides are laid over the defaults rate by rate', async (t) => {
  const prices = pricesWithOverrides('{"local": {"US": 0.01, "FR": 0.07}, "alphanumeric": {"default": 0.08}}')
  t.equal(rateFor(prices, 'local', 'US'), 0.01)
  t.equal(rateFor(prices, 'local', 'FR'), 0.07)
  t.equal(rateFor(prices, 'local', 'CA'), 0.0079, 'rates not overridden keep their default')
  t.equal(rateFor(prices, 'alphanumeric', 'DE'), 0.08)
  t.equal(rateFor(prices, 'tollfree', 'US'), 0.0079)
  t.equal(pricesWithOverrides(undefined), DEFAULT_PRICES)
  t.equal(DEFAULT_PRICES.local.US, 0.0079, 'the defaults themselves are untouched')
})

t.test('invalid overrides name the problem', async (t) => {
  t.throws(() => pricesWithOverrides('{local'), /not valid JSON/)
  t.throws(() => pricesWithOverrides('{"longcode": {"US": 0.01}}'), /additional properties \(longcode\)/)
  t.throws(() => pricesWithOverrides('{"local": {"USA": 0.01}}'), /\/local must not have additional properties \(USA\)/)
  t.throws(() => pricesWithOverrides('{"local": {"US": -1}}'), /\/local\/US must be >= 0/)
  t.throws(() => pricesWithOverrides('{"local": {"US": "cheap"}}'), /\/local\/US must be number/)
  t.throws(() => pricesWithOverrides('[]'), /must be object/)
})

t.test('PARLEY_PRICES in the configuration', async (t) => {
  t.same(loadConfig({}).prices, DEFAULT_PRICES)
  t.equal(loadConfig({ PARLEY_PRICES: '{"shortcode": {"US": 0.004}}' }).prices.shortcode.US, 0.004)
  t.throws(() => loadConfig({ PARLEY_PRICES: '{"local": {"US": -1}}' }), ConfigError)
  const error = t.throws(() => loadConfig({ PARLEY_PRICES: 'nope' })) as ConfigError
  t.match(error.problems, [/^PARLEY_PRICES: not valid JSON/])
})
