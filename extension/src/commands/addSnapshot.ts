import { newSnapshot } from '../../core/kinds/snapshot';
import { askSnapshot, type SnapshotAnswers, type SnapshotPreset } from '../input/snapshotPrompts';
import type { Runtime } from '../runtime';
import { placeFromEditor } from './placeFlow';

/** `Runtruth: Add Snapshot…`: captures the stack and locals the next time the line runs (without pausing for long). */
export function addSnapshot(rt: Runtime, arg?: unknown): Promise<string | undefined> {
  return placeFromEditor<SnapshotAnswers>(rt, arg, {
    label: 'Snapshot',
    ask: ({ where }, preset) => askSnapshot(where, preset as SnapshotPreset, rt.settings().defaultLimits),
    build: (answers, common) => newSnapshot({ ...common, watches: answers.watches, ...(answers.condition ? { condition: answers.condition } : {}), limits: answers.limits }),
  });
}
