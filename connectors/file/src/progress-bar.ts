/**
 * A one-line progress bar for reading a backlog of files, drawn on a TTY (stderr by default) and
 * redrawn at most 10 times a second. It draws nothing when the output is not a TTY.
 */

/** What the bar draws on: process.stderr, or a fake in tests. */
export interface ProgressOutput {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export class ProgressBar {
  private total = 0;
  private done = 0;
  private bytes = 0;
  private lastDraw = 0;
  private shown = false;

  /** @param force draw even when `out` is not a TTY (the `progress: true` option). */
  constructor(
    private readonly label: string,
    private readonly out: ProgressOutput = process.stderr,
    private readonly force = false,
  ) {}

  /** Files counted by {@link tick} since the bar started. */
  get completed(): number {
    return this.done;
  }

  /** True while a backlog is being drawn. */
  get active(): boolean {
    return this.shown;
  }

  /** Starts or extends the bar to `total` files (files already done are kept). */
  setTotal(total: number): void {
    if (!this.out.isTTY && !this.force) return;
    this.total = Math.max(total, this.done);
    this.shown = true;
    this.draw(true);
  }

  /** One more file read, of `bytes` bytes. */
  tick(bytes: number): void {
    if (!this.shown) return;
    this.done++;
    this.bytes += bytes;
    this.draw(false);
  }

  /** Clears the bar and resets the counts. */
  finish(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
    this.total = this.done = this.bytes = 0;
  }

  /** The bar's text (without control characters), e.g. `[#####-----] 50/100 files 50% 1.2 MB label`. */
  render(width: number): string {
    const frac = this.total === 0 ? 0 : this.done / this.total;
    const stats = ` ${this.done}/${this.total} files ${Math.floor(frac * 100)}% ${(this.bytes / 1e6).toFixed(1)} MB ${this.label}`;
    const barWidth = Math.max(10, Math.min(40, width - stats.length - 2));
    const filled = Math.round(frac * barWidth);
    return `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]${stats}`.slice(0, Math.max(20, width - 1));
  }

  private draw(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < 100 && this.done < this.total) return;
    this.lastDraw = now;
    this.out.write(`\r\x1b[2K${this.render(this.out.columns ?? 80)}`);
  }
}
