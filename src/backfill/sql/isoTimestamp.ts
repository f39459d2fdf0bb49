/** The earliest and latest instants with a four-digit year, where ISO 8601 needs no sign or extension. */
const YEAR_1000 = Date.UTC(1000, 0, 1);
const YEAR_10000 = Date.UTC(10000, 0, 1);
const DAY_MS = 86_400_000;

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * `date.toJSON()` (ISO 8601 in UTC with milliseconds and `Z`, or null for an invalid date), computed
 * from the epoch milliseconds with integer arithmetic: V8's own formatting costs about a microsecond a
 * date, and a chunk's rows carry several timestamps each, so it was a visible share of a worker's CPU.
 * Days to a civil date follow Howard Hinnant's `civil_from_days`; years outside 1000–9999 fall back to
 * toJSON, whose six-digit extended form they need.
 */
export function isoTimestamp(date: Date): string | null {
  const time = date.getTime();
  if (!(time >= YEAR_1000 && time < YEAR_10000)) return date.toJSON();
  const days = Math.floor(time / DAY_MS);
  let ms = time - days * DAY_MS;
  const hours = Math.floor(ms / 3_600_000);
  ms -= hours * 3_600_000;
  const minutes = Math.floor(ms / 60_000);
  ms -= minutes * 60_000;
  const seconds = Math.floor(ms / 1000);
  ms -= seconds * 1000;
  // civil_from_days: eras of 400 years (146,097 days) from 0000-03-01, so leap days end each year.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${pad3(ms)}Z`;
}
