import { Refusal } from '../errors/refusal.ts'

export interface OfficeHoursSchedule {
  timezone: string
  schedule: ReadonlyArray<{ day: string; start: string; end: string }>
}

function isTimeZone(name: string): boolean {
  try {
    // Throws a RangeError for a name that is not an IANA zone (or alias) the runtime knows.
    new Intl.DateTimeFormat('en-US', { timeZone: name }).format(0)
    return true
  } catch {
    return false
  }
}

/** What is wrong with an office-hours setting, naming the field; undefined when it is usable. */
export function officeHoursRefusal(officeHours: OfficeHoursSchedule): Refusal | undefined {
  if (!isTimeZone(officeHours.timezone))
    return new Refusal('GRP-007', `officeHours.timezone ${officeHours.timezone} is not an IANA time zone`)
  for (const [index, period] of officeHours.schedule.entries()) {
    // "HH:MM" strings compare in time order.
    if (period.start >= period.end)
      return new Refusal('GRP-007', `officeHours.schedule.${index}.end must be after its start`)
  }
  return undefined
}

export interface OfficeHoursSetting extends OfficeHoursSchedule {
  mode: 'off' | 'on' | 'scheduled'
}

const MINUTES_A_DAY = 24 * 60
const MINUTES_A_WEEK = 7 * MINUTES_A_DAY
const WEEKDAY_INDEX: Record<string, number> = { mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6 }

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number)
  return hours! * 60 + minutes!
}

/** The wall clock in the zone: its minute of the week (Monday 00:00 is 0) and the same clock read as UTC. */
function localClock(at: Date, timezone: string): { minuteOfWeek: number; wallClockMs: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit'
    })
      .formatToParts(at)
      .map((part) => [part.type, part.value])
  )
  const [hour, minute] = [Number(parts.hour), Number(parts.minute)]
  return {
    minuteOfWeek: WEEKDAY_INDEX[parts.weekday!.toLowerCase()]! * MINUTES_A_DAY + hour * 60 + minute,
    wallClockMs: Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), hour, minute)
  }
}

/**
 * The away period `at` falls in, as a key every moment of that period shares, or undefined while the
 * office is open. `mode: "on"` is one period from `onSince` (when the setting was last saved). A
 * scheduled period starts when the last office period ended, named in the zone's wall clock, so a
 * daylight-saving change inside the period does not split it.
 */
export function awayPeriod(officeHours: OfficeHoursSetting, at: Date, onSince: Date): string | undefined {
  if (officeHours.mode === 'off') return undefined
  if (officeHours.mode === 'on') return `on:${onSince.toISOString()}`
  const periods = officeHours.schedule.map((period) => {
    const day = WEEKDAY_INDEX[period.day]! * MINUTES_A_DAY
    return { start: day + minutesOf(period.start), end: day + minutesOf(period.end) }
  })
  if (periods.length === 0) return `closed:${onSince.toISOString()}`
  const { minuteOfWeek, wallClockMs } = localClock(at, officeHours.timezone)
  if (periods.some((period) => period.start <= minuteOfWeek && minuteOfWeek < period.end)) return undefined
  const ends = periods.map((period) => period.end)
  const endedThisWeek = ends.filter((end) => end <= minuteOfWeek)
  const lastEnd = endedThisWeek.length > 0 ? Math.max(...endedThisWeek) : Math.max(...ends) - MINUTES_A_WEEK
  const awaySince = new Date(wallClockMs - (minuteOfWeek - lastEnd) * 60_000)
  return `scheduled:${awaySince.toISOString().slice(0, 16)}`
}
