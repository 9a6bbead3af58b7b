/** Anything shaped like a generated Runtruth secret. */
const SECRET_PATTERN = /\brt_(admin|agent|tok)_[A-Za-z0-9_-]+/g;

/**
 * The relay never logs secrets on purpose; this catches the accidental case (say, an exception message that
 * quotes its input) before the line leaves the process. Presets can look like anything, so they are passed in.
 */
export function redactingLog(sink: (line: string) => void, presets: readonly (string | undefined)[] = []): (line: string) => void {
  const literals = presets.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return (line) => {
    let safe = line.replace(SECRET_PATTERN, 'rt_$1_[redacted]');
    for (const secret of literals) safe = safe.split(secret).join('[redacted]');
    sink(safe);
  };
}

export function stderrLog(line: string): void {
  process.stderr.write(`[runtruth relay] ${line}\n`);
}
