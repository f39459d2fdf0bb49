/** Deterministic job ids of a verification run (BullMQ forbids ':' in custom ids). */
export const collectionJobId = (runId: string, collection: string) => `vf.${runId}.${collection}`;
export const rangeJobId = (runId: string, collection: string, rangeNo: number) =>
  `vf.${runId}.${collection}.${rangeNo}`;
