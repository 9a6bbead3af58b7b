import { newLogpoint } from '../../core/kinds/logpoint';
import { suggestTemplate } from '../../core/suggestTemplate';
import { askLogpoint, type LogpointAnswers, type PresetAnswers } from '../input/logpointPrompts';
import type { Runtime } from '../runtime';
import { placeFromEditor } from './placeFlow';

/** `Runtruth: Add Logpoint…` from the line-number menu, the editor menu, the palette or the keybinding. */
export function addLogpoint(rt: Runtime, arg?: unknown): Promise<string | undefined> {
  return placeFromEditor<LogpointAnswers>(rt, arg, {
    label: 'Logpoint',
    ask: ({ document, line, where }, preset) => askLogpoint(where, suggestTemplate(document.lineAt(line).text), preset as PresetAnswers, rt.settings().defaultLimits),
    build: (answers, common) => newLogpoint({ ...common, template: answers.template, ...(answers.condition ? { condition: answers.condition } : {}), limits: answers.limits }),
  });
}
