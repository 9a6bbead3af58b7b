/**
 * A duration metric has two sites: its start (the probe's own line, placed by whichever tier places logpoints)
 * and its end, placed under this derived id. The main-thread hook arms both when the probe is armed; the end
 * site's hits close the start's open stretches. (`#` never appears in relay-assigned probe ids.)
 */
export function durationEndId(probeId: string): string {
  return `${probeId}#end`;
}

/** The probe a derived end-site id belongs to, or undefined for ordinary ids. */
export function probeOfEndId(id: string): string | undefined {
  return id.endsWith('#end') ? id.slice(0, -'#end'.length) : undefined;
}
