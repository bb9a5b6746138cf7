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
    const totals = await ledger.monthTotals()
    const month = ledger.monthStart().slice(0, 7)
    const counts = this.#options.counts ?? (() => true)
    const states: BudgetState[] = []
    if (monthlyYuan !== null && counts(entryId)) {
      let spent = 0
      for (const [id, yuan] of totals) if (counts(id)) spent += yuan
      states.push({ scope: 'global', month, limitYuan: monthlyYuan, spentYuan: round(spent) })
    }
    const own = perEntry.get(entryId)
    if (own !== undefined) states.push({ scope: entryId, month, limitYuan: own, spentYuan: round(totals.get(entryId) ?? 0) })
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
