/** The demo's narration: one numbered line per step of the plan's lifecycle, on stderr. */
export const DEMO_STEPS = [
  'seed',
  'backfill under live traffic',
  'dual',
  'verification green',
  'a tampered row caught and repaired',
  'the money core flipped to pg',
  'rollback drill back to dual',
  'final verification',
] as const;

export type DemoStep = (typeof DEMO_STEPS)[number];

export function announce(step: DemoStep, detail = ''): void {
  const n = DEMO_STEPS.indexOf(step) + 1;
  process.stderr.write(`\n[${n}/${DEMO_STEPS.length}] ${step}${detail ? `: ${detail}` : ''}\n`);
}

export const say = (line: string): void => {
  process.stderr.write(`    ${line}\n`);
};
