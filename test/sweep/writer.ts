/**
 * The application of the kill -9 test (test/sweep/kill9.test.ts): writes MongoDB directly with the
 * driver, in a loop, and never syncs, as an app process does between its MongoDB write and the seam's
 * sync. Prints one line per acknowledged write ({"c":collection,"id":hex}); the test SIGKILLs it.
 *
 *   WRITER_MONGO_URL  the database to write (its path names it)
 *   WRITER_TAG        marks every document written, so the test can find them all afterwards
 */
import { ObjectId } from 'bson';
import { MongoClient, type Document } from 'mongodb';

const url = process.env.WRITER_MONGO_URL!;
const tag = process.env.WRITER_TAG!;
const client = new MongoClient(url);
await client.connect();
const db = client.db();
const users = db.collection<Document>('users');
const points = db.collection<Document>('pointtransactions');
const settings = db.collection<Document>('configsettings');

const existing = await users
  .find({ email: { $type: 'string' }, updatedAt: { $type: 'date' } }, { limit: 50 })
  .toArray();
const userTemplate = existing[0]!;
const pointTemplate = (await points.findOne({ userId: { $type: 'objectId' } }))!;
const acked = (c: string, id: ObjectId) =>
  process.stdout.write(`${JSON.stringify({ c, id: id.toHexString() })}\n`);

process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const now = new Date();
  const userId = new ObjectId();
  await users.insertOne({
    ...userTemplate,
    _id: userId,
    email: `${tag}-${i}@example.com`,
    referralCode: `${tag}-${i}`,
    profile: { ...userTemplate.profile, displayName: `${tag} new ${i}` },
    createdAt: now,
    updatedAt: now,
  });
  acked('users', userId);

  const target = existing[i % existing.length]!;
  await users.updateOne(
    { _id: target._id },
    { $set: { 'profile.displayName': `${tag} updated ${i}`, updatedAt: new Date() } },
  );
  acked('users', target._id as ObjectId);

  const pointId = new ObjectId();
  const { updatedAt: _, ...point } = pointTemplate;
  await points.insertOne({ ...point, _id: pointId, userId, points: i, balanceAfter: i, referenceType: tag });
  acked('pointtransactions', pointId);

  const settingId = new ObjectId();
  await settings.insertOne({
    _id: settingId,
    key: `${tag}.${i}`,
    value: { i, tag },
    createdAt: now,
    updatedAt: now,
  });
  acked('configsettings', settingId);
}
