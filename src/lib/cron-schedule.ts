import { CronExpressionParser } from 'cron-parser'
import { Refusal } from '../errors/refusal.ts'

/**
 * The first time after `after` that a five-field cron expression names, read in the IANA time zone
 * (so "0 9 * * *" stays 09:00 local across daylight-saving changes), or a refusal naming the fault.
 */
export function nextRun(cron: string, timezone: string, after: Date): Date | Refusal {
  if (cron.trim().split(/\s+/).length !== 5)
    return new Refusal('CAMP-003', `schedule.cron "${cron}" needs five fields: minute hour day month weekday`)
  if (!isTimeZone(timezone)) return new Refusal('CAMP-003', `schedule.timezone "${timezone}" is not an IANA time zone`)
  try {
    return CronExpressionParser.parse(cron, { tz: timezone, currentDate: after }).next().toDate()
  } catch (error) {
    return new Refusal('CAMP-003', `schedule.cron "${cron}": ${(error as Error).message}`)
  }
}

function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone })
    return true
  } catch {
    return false
  }
}
