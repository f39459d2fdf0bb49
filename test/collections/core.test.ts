import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { CORE_SPECS } from '../../src/collections/core.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { userRole, userStatus } from '../../src/db/schema/index.js';
import { registerModels, USER_ROLES, USER_STATUSES } from '../../src/mongo/models/index.js';

describe('core specs', () => {
  it('lists the seven collections once each', () => {
    expect(CORE_SPECS.map((s) => s.collection).sort()).toEqual([
      'addresses',
      'categories',
      'configsettinghistories',
      'configsettings',
      'levelconfigs',
      'shopsettings',
      'users',
    ]);
  });

  it('reference only collections of the core', () => {
    const names = new Set(CORE_SPECS.map((s) => s.collection));
    for (const spec of CORE_SPECS) for (const ref of spec.references) expect(names).toContain(ref.parent);
  });

  it('the Postgres enums and the Mongoose enums are the same lists (legacy-schema.md)', () => {
    expect(userRole.enumValues).toEqual([...USER_ROLES]);
    expect(userStatus.enumValues).toEqual([...USER_STATUSES]);
  });

  it('registers models per connection, collection names as the legacy ones', async () => {
    const connection = mongoose.createConnection(); // never opened: no server needed
    const models = registerModels(connection);
    expect(registerModels(connection).User).toBe(models.User);
    expect(
      Object.values(models)
        .map((m) => m.collection.collectionName)
        .sort(),
    ).toEqual(REGISTRY.specs.map((s) => s.collection).sort());
    const user = new models.User({
      email: 'Ana@Example.com',
      password: 'h',
      refreshTokens: [{ tokenHash: 't' }],
      emailVerificationToken: 'x',
    });
    expect(user.get('email')).toBe('ana@example.com'); // lowercase: true
    expect(user.toJSON()).not.toHaveProperty('password');
    expect(user.toJSON()).not.toHaveProperty('refreshTokens');
    expect(user.toJSON()).not.toHaveProperty('emailVerificationToken');
    await connection.close();
  });
});
