import t from 'tap'
import { awayPeriod, type OfficeHoursSetting } from '../../src/lib/office-hours.ts'

const since = new Date('2026-11-01T08:00:00Z')
const weekdays: OfficeHoursSetting = {
  mode: 'scheduled',
  timezone: 'America/New_York',
  schedule: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '09:00', end: '17:00' }))
}

t.test('off is never away; on is one period from when it was set', async (t) => {
  t.equal(awayPeriod({ ...weekdays, mode: 'off' }, new Date(), since), undefined)
  const on = { ...weekdays, mode: 'on' as const }
  t.equal(
    awayPeriod(on, new Date('2026-11-30T15:00:00Z'), since),
    awayPeriod(on, new Date('2026-12-05T15:00:00Z'), since)
  )
  t.not(awayPeriod(on, new Date(), since), awayPeriod(on, new Date(), new Date('2026-11-02T08:00:00Z')))
})

t.test('scheduled: open inside the schedule in its time zone, one period per gap', async (t) => {
  // Monday 30 November 2026, 10:00 in New York (UTC-5).
  t.equal(awayPeriod(weekdays, new Date('2026-11-30T15:00:00Z'), since), undefined)
  const evening = awayPeriod(weekdays, new Date('2026-11-30T23:00:00Z'), since)
  const night = awayPeriod(weekdays, new Date('2026-12-01T05:00:00Z'), since)
  t.equal(evening, 'scheduled:2026-11-30T17:00')
  t.equal(night, evening, 'the evening and the night after are one period')
  t.equal(awayPeriod(weekdays, new Date('2026-12-01T15:00:00Z'), since), undefined, 'Tuesday morning is open')
  t.equal(awayPeriod(weekdays, new Date('2026-12-01T23:00:00Z'), since), 'scheduled:2026-12-01T17:00')
  const saturday = awayPeriod(weekdays, new Date('2026-12-05T15:00:00Z'), since)
  t.equal(saturday, 'scheduled:2026-12-04T17:00', 'the weekend is one period from Friday evening')
  t.equal(awayPeriod(weekdays, new Date('2026-12-07T13:00:00Z'), since), saturday, 'until Monday morning')
})

t.test('scheduled with no office periods is always away', async (t) => {
  t.equal(awayPeriod({ ...weekdays, schedule: [] }, new Date(), since), `closed:${since.toISOString()}`)
})
