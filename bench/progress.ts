/**
 * Progress on stderr, so stdout stays clean for the Markdown report. On a terminal: one bar
 * redrawn in place a few times a second. Anywhere else (CI logs, a pipe): one plain line per
 * step, since carriage returns would turn a log into one unreadable line.
 */

/** Redraws per second on a terminal: smooth enough, cheap enough not to disturb the runs. */
const REDRAW_MS = 250;

/** Where progress goes; process.stderr in practice, a fake in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/**
 * Formats one bar line: `[#####-----]  50%  ioredis · command · round 1/3  ~40s left`.
 * Pure, so the rendering can be tested without a terminal.
 */
export function renderBar(fraction: number, label: string, secondsLeft: number, width = 80): string {
  const clamped = Math.min(Math.max(fraction, 0), 1);
  const percent = `${Math.floor(clamped * 100)}%`.padStart(4);
  const eta = Number.isFinite(secondsLeft) ? `~${Math.max(0, Math.ceil(secondsLeft))}s left` : '';
  const barWidth = Math.max(10, Math.min(30, width - label.length - eta.length - 12));
  const filled = Math.round(clamped * barWidth);
  const line = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${percent}  ${label}  ${eta}`;
  // Never wider than the terminal, or the redraw would wrap and scroll.
  return line.length > width - 1 ? line.slice(0, width - 1) : line;
}

/**
 * Tracks steps whose durations are known in advance (each bench run lasts its warm-up plus its
 * measured window), so the bar advances with time inside a step, not only between steps.
 */
export class Progress {
  readonly #stream: ProgressStream;
  readonly #totalMs: number;
  readonly #now: () => number;
  #doneMs = 0;
  #stepCount = 0;
  #current?: { label: string; expectedMs: number; startedAt: number };
  #timer?: NodeJS.Timeout;

  /**
   * @param totalMs the sum of the expected durations of every step.
   * @param totalSteps how many steps there will be, for the plain `[3/54]` lines.
   */
  constructor(
    totalMs: number,
    readonly totalSteps: number,
    stream: ProgressStream = process.stderr,
    now: () => number = Date.now,
  ) {
    this.#totalMs = Math.max(totalMs, 1);
    this.#stream = stream;
    this.#now = now;
  }

  /** Starts a step expected to last `expectedMs`. */
  start(label: string, expectedMs: number): void {
    this.#current = { label, expectedMs, startedAt: this.#now() };
    this.#stepCount++;
    if (!this.#stream.isTTY) {
      this.#stream.write(`[${this.#stepCount}/${this.totalSteps}] ${label}\n`);
      return;
    }
    this.#draw();
    this.#timer ??= setInterval(() => this.#draw(), REDRAW_MS).unref();
  }

  /** Ends the current step. */
  finish(): void {
    if (this.#current) this.#doneMs += this.#current.expectedMs;
    this.#current = undefined;
    if (this.#stream.isTTY) this.#draw();
  }

  /** Prints a message without garbling the bar (e.g. a failed run). */
  note(message: string): void {
    if (this.#stream.isTTY) this.#stream.write('\r\x1b[K');
    this.#stream.write(`${message}\n`);
    if (this.#stream.isTTY && this.#current) this.#draw();
  }

  /** Stops redrawing and clears the bar, leaving the terminal as it was. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#stream.isTTY) this.#stream.write('\r\x1b[K');
  }

  /** The fraction done, counting the current step's elapsed time up to its expected length. */
  fraction(): number {
    return this.#elapsedMs() / this.#totalMs;
  }

  #elapsedMs(): number {
    const current = this.#current;
    const inStep = current ? Math.min(this.#now() - current.startedAt, current.expectedMs) : 0;
    return this.#doneMs + inStep;
  }

  #draw(): void {
    const label = this.#current?.label ?? 'done';
    const secondsLeft = (this.#totalMs - this.#elapsedMs()) / 1000;
    const line = renderBar(this.fraction(), label, secondsLeft, this.#stream.columns ?? 80);
    this.#stream.write(`\r\x1b[K${line}`);
  }
}
