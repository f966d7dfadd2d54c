/**
 * The loading target: a small in-memory warehouse of tables keyed by row id. It stands in for a
 * database; the load task is the only code that writes to it. Under Temporal it lives in the
 * worker process, where tasks run.
 */

/** One row of a table. */
export type WarehouseRow = Record<string, string | number> & { id: string };

const tables = new Map<string, Map<string, WarehouseRow>>();

export const warehouse = {
  /**
   * Writes rows by id, replacing a row of the same id: loading the same batch twice (a retried
   * task) leaves the table as loading it once does.
   */
  upsert(table: string, rows: readonly WarehouseRow[]): number {
    let existing = tables.get(table);
    if (existing === undefined) {
      existing = new Map();
      tables.set(table, existing);
    }
    for (const row of rows) existing.set(row.id, { ...row });
    return rows.length;
  },

  /** The rows of a table, by id. */
  rows(table: string): WarehouseRow[] {
    return [...(tables.get(table)?.values() ?? [])].sort((a, b) => a.id.localeCompare(b.id));
  },

  /** Empties every table. */
  clear(): void {
    tables.clear();
  },
};
