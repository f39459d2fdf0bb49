import { and, eq, isNull, sql } from 'drizzle-orm';
import { ObjectId } from 'bson';
import { isFieldReject, mixedJson } from '../../collections/mapping/index.js';
import { asLegacyId, type LegacyId, type PgUuid } from '../../db/ids.js';
import { configSettingHistories, configSettings } from '../../db/schema/index.js';
import { DomainRuleError, NotFoundError, type Id, type Page } from '../domain/common.js';
import type { ConfigSetting, ConfigSettingChange, IConfigSettingRepo } from '../domain/configSettings.js';
import { claimDocuments } from './claimDocuments.js';
import type { PgContext } from './context.js';
import { liveParent } from './liveParent.js';
import { newIdentity } from './newIdentity.js';
import { readDomainObject, readDomainObjects } from './readDomain.js';
import { inReadSnapshot } from './reads.js';
import { lockScope } from './scopeLock.js';
import { inWriteTransaction, type WriteTransaction } from './transaction.js';
import { guardStamp, writeInstant } from './writeInstant.js';

const SETTINGS = 'configsettings';
const HISTORY = 'configsettinghistories';
const DEFAULT_LIMIT = 50;

const live = and(isNull(configSettings.sourceDeletedAt), isNull(configSettings.rejectedAt));

/**
 * Settings with Postgres authoritative. A set is ONE transaction that writes the setting AND its history
 * row: the writers of one key run alone (a scope lock on the key, which also covers a key with no
 * setting yet), both documents are noted and locked before any row, and the value replaced is read under
 * the setting's row lock (FOR UPDATE) and copied as stored (jsonb text, no JS round trip) into the
 * history's `old_value`, so concurrent sets leave a history whose changes chain exactly. A setting's
 * legacy id is used as stored: a 24-hex ObjectId, or the key string of a pre-2024 setting (its `_id`).
 */
export class DrizzleConfigSettingRepo implements IConfigSettingRepo {
  constructor(private readonly ctx: PgContext) {}

  async set(key: string, value: unknown, changedBy?: Id): Promise<ConfigSetting> {
    const newValue = value === undefined ? null : value;
    // The value as the mapper stores a Mixed field (relaxed EJSON); what jsonb cannot hold is refused.
    const json = mixedJson(newValue, 'value');
    if (isFieldReject(json)) throw new DomainRuleError(SETTINGS, null, json.message);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      let changer: PgUuid | null = null;
      if (changedBy !== undefined) {
        changer = await liveParent(tx.client, 'users', asLegacyId(changedBy));
        if (!changer) throw new NotFoundError('users', changedBy);
      }
      await lockScope(tx.client, SETTINGS, 'key', key);
      const [existing] = await tx.db
        .select({ legacyId: configSettings.legacyObjectId })
        .from(configSettings)
        .where(and(eq(configSettings.key, key), live));
      const change = await newIdentity(tx.client, HISTORY);
      const setting = existing ? { legacyId: existing.legacyId } : await newIdentity(tx.client, SETTINGS);
      await claimDocuments(tx.client, SETTINGS, [{ legacyId: setting.legacyId }]);
      await claimDocuments(tx.client, HISTORY, [{ legacyId: change.legacyId }]);
      let settingId: PgUuid;
      let oldValue: string | null | undefined;
      let at: Date;
      if (existing) {
        // The value this write replaces, under the row lock: a concurrent set waits here, then reads ours.
        const { rows } = await tx.client.query<{ id: PgUuid; old: string | null }>(
          `SELECT id, value::text AS old FROM config_settings
            WHERE legacy_object_id = $1 AND key = $2 AND source_deleted_at IS NULL AND rejected_at IS NULL
            FOR UPDATE`,
          [existing.legacyId, key],
        );
        const found = rows[0];
        if (!found) throw new Error(`${SETTINGS} ${key}: its document changed under the locks`);
        settingId = found.id;
        oldValue = found.old;
        at = await writeInstant(tx.client);
        await tx.db
          .update(configSettings)
          .set({
            value: json,
            updatedById: changer,
            updatedAt: at,
            sourceUpdatedAt: at,
            sourceReadAt: guardStamp(),
          })
          .where(eq(configSettings.id, settingId));
      } else {
        const created = setting as { legacyId: LegacyId; uuid: PgUuid };
        settingId = created.uuid;
        at = await writeInstant(tx.client);
        await tx.db.insert(configSettings).values({
          id: created.uuid,
          legacyObjectId: created.legacyId,
          key,
          value: json,
          updatedById: changer,
          createdAt: at,
          updatedAt: at,
          sourceUpdatedAt: at,
          sourceReadAt: guardStamp(),
        });
      }
      await tx.db.insert(configSettingHistories).values({
        id: change.uuid,
        legacyObjectId: change.legacyId,
        settingId,
        key,
        // Absent on the change that created the setting; else the stored jsonb, copied exactly.
        oldValue: oldValue === undefined || oldValue === null ? null : sql`${oldValue}::jsonb`,
        newValue: json,
        changedById: changer,
        changedAt: at,
        // The history has no timestamps: its version is its ObjectId's time (versionOf), as the backfill's.
        sourceUpdatedAt: new ObjectId(change.legacyId).getTimestamp(),
        sourceReadAt: guardStamp(),
      });
      return this.#read(tx, setting.legacyId);
    });
  }

  async get(key: string): Promise<ConfigSetting | null> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      const legacyIds = await settingIds(client, `AND key = $1`, [key]);
      const [found] = await readDomainObjects<ConfigSetting>(client, SETTINGS, legacyIds);
      return found ?? null;
    });
  }

  async list(): Promise<ConfigSetting[]> {
    return inReadSnapshot(this.ctx.pool, async (client) =>
      // MongoDB's order: key ascending, strings compared bytewise (COLLATE "C").
      readDomainObjects<ConfigSetting>(client, SETTINGS, await settingIds(client, '', [])),
    );
  }

  async history(key: string, page: Page = {}): Promise<ConfigSettingChange[]> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      // MongoDB's order: changedAt descending (none last), then _id descending (24-hex, bytewise).
      // A limit of 0 is MongoDB's "no limit".
      const limit = page.limit ?? DEFAULT_LIMIT;
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT legacy_object_id FROM config_setting_histories
          WHERE key = $1 AND source_deleted_at IS NULL AND rejected_at IS NULL
          ORDER BY changed_at DESC NULLS LAST, legacy_object_id COLLATE "C" DESC
          OFFSET $2 LIMIT $3`,
        [key, page.offset ?? 0, limit === 0 ? null : Math.abs(limit)],
      );
      return readDomainObjects<ConfigSettingChange>(
        client,
        HISTORY,
        rows.map((r) => r.legacy_object_id),
      );
    });
  }

  /** The domain object of a setting this transaction just wrote (it is live: the write succeeded). */
  async #read(tx: WriteTransaction, legacyId: LegacyId): Promise<ConfigSetting> {
    const found = await readDomainObject<ConfigSetting>(tx.client, SETTINGS, legacyId);
    if (!found) throw new Error(`${SETTINGS} ${legacyId}: written but not readable in the same transaction`);
    return found;
  }
}

/** The legacy ids of the live settings matching `where`, by key. */
async function settingIds(
  client: WriteTransaction['client'],
  where: string,
  params: unknown[],
): Promise<LegacyId[]> {
  const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
    `SELECT legacy_object_id FROM config_settings
      WHERE source_deleted_at IS NULL AND rejected_at IS NULL ${where}
      ORDER BY key COLLATE "C"`,
    params,
  );
  return rows.map((r) => r.legacy_object_id);
}
