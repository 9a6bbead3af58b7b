/**
 * Bytes a snapshot may still use. Spending is an estimate made while building the tree (so a huge object stops
 * being walked early); the capturer measures the real JSON at the end and trims if the estimate was short.
 */
export class SizeBudget {
  private used = 0;
  exhausted = false;

  constructor(private readonly maxBytes: number) {}

  /** Spends `bytes` if they fit; false (and exhausted from then on) when they do not. */
  spend(bytes: number): boolean {
    if (this.exhausted) return false;
    if (this.used + bytes > this.maxBytes) {
      this.exhausted = true;
      return false;
    }
    this.used += bytes;
    return true;
  }
}
