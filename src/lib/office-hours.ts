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
