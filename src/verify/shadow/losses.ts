/**
 * What the forward mapping knowingly changes, by collection, brought about on a normalised answer of
 * either store before they are compared (docs/data-policy.md; test/repositories/readsAgree.test.ts keeps
 * the same list). Without these a shadow read would report, on every read, a difference the migration
 * made on purpose.
 */
const LOSSES: Readonly<Record<string, (object: Record<string, unknown>) => void>> = {
  addresses(object) {
    // `primary` absent (documents older than the field) is the model's default, written out as false
    // into a NOT NULL column.
    if (object.primary === undefined) object.primary = false;
  },
};

/** Applies the collection's known losses to each domain object of a normalised answer, in place. */
export function applyKnownLosses(collection: string, answer: unknown): unknown {
  const loss = LOSSES[collection];
  if (!loss) return answer;
  const objects = Array.isArray(answer) ? answer : [answer];
  for (const object of objects)
    if (typeof object === 'object' && object !== null && 'id' in object)
      loss(object as Record<string, unknown>);
  return answer;
}
