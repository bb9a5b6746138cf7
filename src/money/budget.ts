import type { CostLedger } from './ledger.js'

/** One budget that applies to an entry: over every entry (`global`), or the entry's own. */
export interface BudgetState {
  /** `global`, or the provider entry's id. */
  scope: string
  /** The month, `YYYY-MM`, in the ledger's zone. */
  month: string
  limitYuan: number
  /** Observed this month (the ledger's estimate), yuan, rounded to the fen. */
  spentYuan: number
}

export interface BudgetOptions {
  ledger: CostLedger
  /** `budget.monthlyYuan`; null: no budget over every entry. */
  monthlyYuan: number | null
  /** `providers[].budget.monthlyYuan`, by entry id. */
  perEntry: ReadonlyMap<string, number>
  /** Whose costs count toward the global budget, and whom it binds (default: every entry; the host leaves out accounts added through the bot, which are their owners' money). */
  counts?: (entryId: string) => boolean
}

/**
 * The monthly budgets: this month's observed cost (the {@link CostLedger}'s estimate) against
 * `budget.monthlyYuan` over every entry and each entry's own. Automatic power-ons ask {@link refusal}
 * first; confirmations of manual ones show {@link states}.
 */
export class Budget {
  readonly #options: BudgetOptions
  /** This month's totals per entry, reused until the ledger books more: every evaluation asks, the ledger moves per poll. */
  #cached: { revision: number; from: string; rows: Array<{ provider: string; yuan: number }> } | null = null

  constructor (options: BudgetOptions) {
    this.#options = options
  }

  /** True when any budget is configured. */
  get configured (): boolean {
    return this.#options.monthlyYuan !== null || this.#options.perEntry.size > 0
  }

  /** The budgets that apply to `entryId` (global first), with this month's spending; empty without budgets. */
  async states (entryId: string): Promise<BudgetState[]> {
    if (!this.configured) return []
    const { ledger, monthlyYuan, perEntry } = this.#options
    const from = ledger.monthStart()
    const rows = await this.#rows(from)
    const month = from.slice(0, 7)
    const states: BudgetState[] = []
    if (monthlyYuan !== null && (this.#options.counts?.(entryId) ?? true)) states.push({ scope: 'global', month, limitYuan: monthlyYuan, spentYuan: round(rows.reduce((sum, r) => sum + r.yuan, 0)) })
    const own = perEntry.get(entryId)
    if (own !== undefined) states.push({ scope: entryId, month, limitYuan: own, spentYuan: round(rows.find(r => r.provider === entryId)?.yuan ?? 0) })
    return states
  }

  /** Every budget configured, with this month's spending (for the monthly "budget reached" alert). */
  async all (): Promise<BudgetState[]> {
    const ids = [...this.#options.perEntry.keys()]
    const states = new Map<string, BudgetState>()
    // '' stands for any entry the global budget binds.
    for (const id of ['', ...ids]) for (const s of await this.states(id)) states.set(s.scope, s)
    return [...states.values()]
  }

  async #rows (from: string): Promise<Array<{ provider: string; yuan: number }>> {
    const { ledger } = this.#options
    const cached = this.#cached
    if (cached !== null && cached.from === from && cached.revision === ledger.revision) return cached.rows
    const revision = ledger.revision
    const rows = await ledger.report({ from, to: ledger.today() }, 'provider', this.#options.counts)
    this.#cached = { revision, from, rows }
    return rows
  }

  /**
   * Why an automatic power-on of an instance of `entryId`, projected to cost `projectedYuan`, must
   * not run: the first budget this month's cost plus the projection reaches; null when none does.
   */
  async refusal (entryId: string, projectedYuan: number): Promise<BudgetState | null> {
    for (const state of await this.states(entryId)) {
      if (state.spentYuan + projectedYuan >= state.limitYuan) return state
    }
    return null
  }
}

const round = (yuan: number): number => Math.round(yuan * 100) / 100
