import { FilterError } from "./filter_error.ts";
import type { Spend } from "./filter.ts";

/** A scope's `privacy_budget` (`privacy-and-filters.md` §8); every limit optional. */
export interface PrivacyBudget {
  max_epsilon_per_job?: number;
  max_epsilon_per_scope?: number;
  max_delta_per_job?: number;
  max_delta_per_scope?: number;
}

/** One committed spend, with the totals after it, for the audit line. */
export interface SpendRecord extends Spend {
  filter: string;
  scope: string;
  jobId: string;
  jobEpsilon: number;
  jobDelta: number;
  scopeEpsilon: number;
  scopeDelta: number;
}

/** The audit line of a spend: `privacy spend: filter=<Name> epsilon=<e> delta=<d> job_total=<e> scope_total=<e>`. */
export function formatSpend(r: SpendRecord): string {
  return `privacy spend: filter=${r.filter} epsilon=${r.epsilon} delta=${r.delta} job_total=${r.jobEpsilon} scope_total=${r.scopeEpsilon}`;
}

interface Totals {
  epsilon: number;
  delta: number;
}

interface ScopeEntry extends Totals {
  jobs: Map<string, Totals>;
}

const REL_TOL = 1e-12;

function exceeds(total: number, limit: number | undefined): boolean {
  return limit !== undefined && total > limit && total - limit > REL_TOL * limit;
}

function isTotals(v: unknown): v is Totals {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const ok = (n: unknown) => typeof n === "number" && Number.isFinite(n) && n >= 0;
  return ok(o.epsilon) && ok(o.delta);
}

/**
 * The privacy budget ledger of a site (`<workspace>/privacy_budget.json`, §8): ε and δ spent per
 * scope and per job, composed additively. Spends of a running chain are held as reservations
 * (counted against the limits, so two concurrent chains cannot overspend together) and written
 * durably (temp file, fsync, rename) only when the chain commits.
 */
export class BudgetLedger {
  readonly path: string;
  #scopes = new Map<string, ScopeEntry>();
  #pending = new Set<BudgetTransaction>();
  #writing: Promise<void> = Promise.resolve();

  private constructor(path: string) {
    this.path = path;
  }

  /**
   * Reads the ledger at `path`; a missing file is an empty ledger. Throws `PRIVACY_LEDGER_INVALID`
   * for any file that cannot be read or does not have the §8 format. Requires `--allow-read`.
   */
  static async open(path: string): Promise<BudgetLedger> {
    const ledger = new BudgetLedger(path);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return ledger;
      throw ledger.#invalid(`cannot be read (${(err as Error).message})`, err);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw ledger.#invalid(`is not JSON (${(err as Error).message})`, err);
    }
    const root = doc as Record<string, unknown>;
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
      throw ledger.#invalid("is not an object");
    }
    for (const k of Object.keys(root)) {
      if (k !== "format_version" && k !== "scopes") throw ledger.#invalid(`has unknown key "${k}"`);
    }
    if (root.format_version !== 1) {
      throw ledger.#invalid(`has format_version "${String(root.format_version)}", expected 1`);
    }
    const scopes = root.scopes;
    if (scopes === null || typeof scopes !== "object" || Array.isArray(scopes)) {
      throw ledger.#invalid("has no scopes object");
    }
    for (const [name, s] of Object.entries(scopes)) {
      if (!isTotals(s)) throw ledger.#invalid(`scope "${name}" has no valid epsilon and delta`);
      const jobs = (s as unknown as Record<string, unknown>).jobs;
      if (jobs === null || typeof jobs !== "object" || Array.isArray(jobs)) {
        throw ledger.#invalid(`scope "${name}" has no jobs object`);
      }
      const entry: ScopeEntry = { epsilon: s.epsilon, delta: s.delta, jobs: new Map() };
      for (const [job, t] of Object.entries(jobs)) {
        if (!isTotals(t)) {
          throw ledger.#invalid(`job "${job}" of scope "${name}" has no valid epsilon and delta`);
        }
        entry.jobs.set(job, { epsilon: t.epsilon, delta: t.delta });
      }
      ledger.#scopes.set(name, entry);
    }
    return ledger;
  }

  #invalid(why: string, cause?: unknown): FilterError {
    return new FilterError(
      "PRIVACY_LEDGER_INVALID",
      `Privacy ledger "${this.path}" ${why}`,
      cause === undefined ? {} : { cause },
    );
  }

  /** Committed totals of a scope and of one job in it. */
  totals(scope: string, jobId: string): { job: Totals; scope: Totals } {
    const s = this.#scopes.get(scope);
    const j = s?.jobs.get(jobId);
    return {
      job: { epsilon: j?.epsilon ?? 0, delta: j?.delta ?? 0 },
      scope: { epsilon: s?.epsilon ?? 0, delta: s?.delta ?? 0 },
    };
  }

  /** Starts the spends of one chain run of `jobId` in `scope` under `limits`. */
  begin(scope: string, jobId: string, limits: PrivacyBudget = {}): BudgetTransaction {
    return new BudgetTransaction(this, scope, jobId, limits);
  }

  /** Committed plus reserved totals (all chains but none excluded). */
  _reserved(scope: string, jobId: string): { job: Totals; scope: Totals } {
    const t = this.totals(scope, jobId);
    for (const tx of this.#pending) {
      if (tx.scope !== scope) continue;
      for (const s of tx.spends) {
        t.scope.epsilon += s.epsilon;
        t.scope.delta += s.delta;
        if (tx.jobId === jobId) {
          t.job.epsilon += s.epsilon;
          t.job.delta += s.delta;
        }
      }
    }
    return t;
  }

  _hold(tx: BudgetTransaction): void {
    this.#pending.add(tx);
  }

  _release(tx: BudgetTransaction): void {
    this.#pending.delete(tx);
  }

  /** Writes the transaction's spends durably, then makes them the committed totals. */
  _commit(tx: BudgetTransaction): Promise<SpendRecord[]> {
    const run = this.#writing.then(async () => {
      const next = new Map<string, ScopeEntry>();
      for (const [k, v] of this.#scopes) next.set(k, { ...v, jobs: new Map(v.jobs) });
      const records: SpendRecord[] = [];
      for (const s of tx.spends) {
        const entry = next.get(tx.scope) ?? { epsilon: 0, delta: 0, jobs: new Map() };
        next.set(tx.scope, entry);
        const job = entry.jobs.get(tx.jobId) ?? { epsilon: 0, delta: 0 };
        const updated = { epsilon: job.epsilon + s.epsilon, delta: job.delta + s.delta };
        entry.jobs.set(tx.jobId, updated);
        entry.epsilon += s.epsilon;
        entry.delta += s.delta;
        records.push({
          ...s,
          scope: tx.scope,
          jobId: tx.jobId,
          jobEpsilon: updated.epsilon,
          jobDelta: updated.delta,
          scopeEpsilon: entry.epsilon,
          scopeDelta: entry.delta,
        });
      }
      if (records.length > 0) await this.#write(next);
      this.#scopes = next;
      return records;
    });
    // A failed write fails this commit only; later commits start from the unchanged totals.
    this.#writing = run.then(() => {}, () => {});
    return run;
  }

  async #write(scopes: Map<string, ScopeEntry>): Promise<void> {
    const doc: Record<string, unknown> = {};
    for (const [name, s] of [...scopes].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
      const jobs: Record<string, Totals> = {};
      for (const [id, t] of [...s.jobs].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
        jobs[id] = { epsilon: t.epsilon, delta: t.delta };
      }
      doc[name] = { epsilon: s.epsilon, delta: s.delta, jobs };
    }
    const bytes = new TextEncoder().encode(
      JSON.stringify({ format_version: 1, scopes: doc }, null, 2) + "\n",
    );
    const tmp = `${this.path}.tmp-${crypto.randomUUID()}`;
    try {
      const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
      try {
        let off = 0;
        while (off < bytes.length) off += await file.write(bytes.subarray(off));
        await file.sync();
      } finally {
        file.close();
      }
      await Deno.rename(tmp, this.path);
    } catch (err) {
      await Deno.remove(tmp).catch(() => {});
      throw err;
    }
    await syncDir(this.path);
  }
}

// The rename is durable only once the directory entry is; not every platform can open a directory.
async function syncDir(path: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  const dir = slash > 0 ? path.slice(0, slash) : slash === 0 ? "/" : ".";
  try {
    const d = await Deno.open(dir, { read: true });
    try {
      await d.sync();
    } finally {
      d.close();
    }
  } catch {
    // Best effort: the file itself is already fsynced.
  }
}

/** The spends of one chain run: checked against the limits as reported, committed or released once. */
export class BudgetTransaction {
  readonly scope: string;
  readonly jobId: string;
  readonly limits: PrivacyBudget;
  readonly spends: (Spend & { filter: string })[] = [];
  readonly #ledger: BudgetLedger;
  #done = false;

  constructor(ledger: BudgetLedger, scope: string, jobId: string, limits: PrivacyBudget) {
    this.#ledger = ledger;
    this.scope = scope;
    this.jobId = jobId;
    this.limits = limits;
  }

  /** Reserves a spend; throws `PRIVACY_REFUSED` (`budget_exhausted`) naming the limit it would pass. */
  reserve(filter: string, spend: Spend): void {
    if (this.#done) throw new Error(`Budget transaction of job "${this.jobId}" is already closed`);
    const t = this.#ledger._reserved(this.scope, this.jobId);
    const l = this.limits;
    const checks: [string, number, number | undefined][] = [
      ["max_epsilon_per_job", t.job.epsilon + spend.epsilon, l.max_epsilon_per_job],
      ["max_epsilon_per_scope", t.scope.epsilon + spend.epsilon, l.max_epsilon_per_scope],
      ["max_delta_per_job", t.job.delta + spend.delta, l.max_delta_per_job],
      ["max_delta_per_scope", t.scope.delta + spend.delta, l.max_delta_per_scope],
    ];
    for (const [name, total, limit] of checks) {
      if (exceeds(total, limit)) {
        throw new FilterError(
          "PRIVACY_REFUSED",
          `Filter "${filter}" refused: spend would bring scope "${this.scope}" job "${this.jobId}" to "${total}", over ${name} "${limit}"`,
          { reason: "budget_exhausted", filter },
        );
      }
    }
    this.spends.push({ filter, epsilon: spend.epsilon, delta: spend.delta });
    this.#ledger._hold(this);
  }

  /** Writes the spends durably and returns them with the totals after each. */
  async commit(): Promise<SpendRecord[]> {
    if (this.#done) throw new Error(`Budget transaction of job "${this.jobId}" is already closed`);
    this.#done = true;
    try {
      return await this.#ledger._commit(this);
    } finally {
      this.#ledger._release(this);
    }
  }

  /** Drops the reserved spends (the chain failed). */
  release(): void {
    this.#done = true;
    this.#ledger._release(this);
  }
}
