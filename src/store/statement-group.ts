/**
 * Group commit for a statement many callers make at once. On a small server a round trip to the
 * database costs far more than the rows it carries (a socket write, a wake-up of the server's
 * process, a commit), so callers that arrive while a statement is in flight — or in the same turn
 * of the event loop — are written together in the next one, and N callers pay one round trip.
 * Under no load a caller waits one turn of the event loop; under load, batches grow by themselves.
 *
 * `execute` gets the inputs in order and must return one output per input, in the same order.
 * A group that fails is tried again one input at a time, so a bad input fails only its caller and
 * an outage fails every caller with the error it met.
 */
export interface StatementGroupOptions {
  /** Statements in flight at once (while one waits for its commit, the next can be written). */
  writers?: number;
  /** Inputs per statement at most (a burst beyond this is written in several). */
  maxBatch?: number;
  /**
   * Least time between the starts of two statements, for work no caller waits on: under a burst,
   * what arrives meanwhile joins the next statement, so there are fewer and larger ones.
   */
  minGapMs?: number;
}

interface Pending<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

export class StatementGroup<I, O> {
  private pending: Pending<I, O>[] = [];
  private writing = 0;
  private readonly writers: number;
  private readonly maxBatch: number;
  private readonly minGapMs: number;
  private lastStart = -Infinity;

  constructor(
    private readonly execute: (inputs: readonly I[]) => Promise<readonly O[]>,
    options: StatementGroupOptions = {},
  ) {
    this.writers = options.writers ?? 1;
    this.maxBatch = options.maxBatch ?? 100;
    this.minGapMs = options.minGapMs ?? 0;
    if (!(this.writers >= 1 && this.maxBatch >= 1)) throw new Error(`statement group: writers (${this.writers}) and maxBatch (${this.maxBatch}) must be at least 1`);
    if (!(this.minGapMs >= 0)) throw new Error(`statement group: minGapMs (${this.minGapMs}) must be 0 or more`);
  }

  /** Runs `input` in the next statement; resolves with its output once that statement has committed. */
  run(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      if (this.writing < this.writers) {
        this.writing++;
        void this.writeAll();
      }
    });
  }

  private async writeAll(): Promise<void> {
    // Let the callers of this turn of the event loop join the first statement.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.pending.length > 0) {
        // Looked at again after each wait: another writer may have started a statement meanwhile.
        for (let wait = this.gapLeft(); wait > 0; wait = this.gapLeft()) await new Promise((resolve) => setTimeout(resolve, wait));
        this.lastStart = performance.now();
        await this.write(this.pending.splice(0, this.maxBatch));
      }
    } finally {
      this.writing--;
    }
  }

  private gapLeft(): number {
    return this.lastStart + this.minGapMs - performance.now();
  }

  private async write(round: readonly Pending<I, O>[]): Promise<void> {
    let outputs: readonly O[];
    try {
      outputs = await this.execute(round.map((p) => p.input));
      if (outputs.length !== round.length) throw new Error(`statement group: ${outputs.length} outputs for ${round.length} inputs`);
    } catch (error) {
      if (round.length === 1) round[0]!.reject(error);
      else await Promise.all(round.map((p) => this.write([p])));
      return;
    }
    round.forEach((p, i) => p.resolve(outputs[i]!));
  }
}
