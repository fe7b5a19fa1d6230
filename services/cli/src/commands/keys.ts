import { ROLES, type Role } from '@nhagiao/api/keys';
import type { Command } from '../command.js';
import { dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { CliError, usageError } from '../errors.js';
import { renderTable } from '../format/table.js';
import { formatOption, toJson } from '../options.js';
import { openKeys } from '../runtime.js';
import { mergedUnits, unregisteredUnits } from '../units.js';

export const keysCommand: Command = {
  name: 'keys',
  usage:
    'keys create --role integrator|reporter|auditor|admin [--units U1,U2] [--label TEXT] | keys list | keys revoke ID',
  options: {
    ...dataOptions,
    role: { type: 'string' },
    units: { type: 'string' },
    label: { type: 'string' },
    format: { type: 'string' },
  },
  help: `Keys are stored hashed in DIR/keys.sqlite; a new key's secret is printed
once and cannot be shown again. What a key may write is the authority table
of docs/authority.md, checked for every event:
  integrator  (--units required) facts about the teachers its units employ, or
              last employed, and those of units merged into them (degrees,
              certificates, trainings, studies, leaves, assignments, contests);
              before any unit hires a teacher, facts only about those a key of
              its units registered; hires into its units (not of a never-hired
              teacher another unit registered or recorded facts about);
              transfers only between two of its units;
              retractions only of what a key of the same units recorded; its
              units' annual report sign-off (the server computes the figures
              and sets the day). Units, renames, areas, merges, programmes,
              topics and funding are the Sở's. It reads the teachers its units
              employ or employed, for that time, and their qualifications.
              Once one of its units is merged into another, it writes nothing
              more: ask the Sở for a key of the surviving unit.
  admin       the Sở: every event, reports entered with their paper date
  reporter    reads figures and reports; writes nothing
  auditor     reads everything, history and events included; writes nothing
Each event records the key's id and authority in its metadata (submittedBy,
submittedAs).
${dataOptionsHelp}`,
  async run(ctx) {
    const [sub, ...rest] = ctx.positionals;
    const keys = openKeys(dataConfig(ctx.values, ctx.env));
    if (sub === 'create') {
      const role = ctx.values.role;
      if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
        throw usageError(`--role: one of ${ROLES.join(', ')}`);
      }
      const units =
        typeof ctx.values.units === 'string'
          ? ctx.values.units
              .split(',')
              .map((u) => u.trim())
              .filter((u) => u !== '')
          : [];
      if (role === 'integrator' && units.length === 0)
        throw usageError('an integrator key needs --units: the units it writes for');
      const unknown = await unregisteredUnits(dataConfig(ctx.values, ctx.env), units);
      if (unknown.length > 0)
        throw usageError(
          `--units: ${unknown.join(', ')} not registered: record UnitRegistered for each first (nhagiao import, or an admin key), then create the key`,
        );
      const merged = await mergedUnits(dataConfig(ctx.values, ctx.env), units);
      if (merged.length > 0)
        throw usageError(
          `--units: ${merged.map((m) => `${m.unitId} was merged into ${m.intoUnitId} on ${m.effectiveOn}`).join('; ')}: a key of a merged-away unit records nothing; create the key for ${[...new Set(merged.map((m) => m.intoUnitId))].join(', ')} instead`,
        );
      const { id, secret } = keys.create({
        role: role as Role,
        ...(units.length > 0 ? { units } : {}),
        ...(typeof ctx.values.label === 'string' ? { label: ctx.values.label } : {}),
      });
      ctx.stderr.write(
        `key ${id} (${role}${units.length ? ` for ${units.join(', ')}` : ''}) created; its secret is shown once:\n`,
      );
      ctx.stdout.write(`${secret}\n`);
      return 0;
    }
    if (sub === 'list') {
      const list = keys.list();
      if (formatOption(ctx.values.format, ['table', 'json'] as const, 'table') === 'json') {
        ctx.stdout.write(`${toJson(list)}\n`);
      } else {
        ctx.stdout.write(
          `${renderTable(
            ['id', 'role', 'units', 'label', 'created', 'revoked'],
            list.map((k) => [
              k.id,
              k.role,
              k.units.join(','),
              k.label ?? '',
              k.createdAt,
              k.revokedAt ?? '',
            ]),
          )}\n`,
        );
      }
      return 0;
    }
    if (sub === 'revoke') {
      const [id] = rest;
      if (id === undefined)
        throw usageError('name the key ID to revoke (nhagiao keys list shows them)');
      if (!keys.revoke(id)) throw new CliError(`no live key ${id}`);
      ctx.stderr.write(`key ${id} revoked\n`);
      return 0;
    }
    throw usageError('keys create | keys list | keys revoke ID');
  },
};
