/**
 * Imported by the handlers that render customer notices (notify, api) so that the templates are read
 * in Lambda's init phase (and at the local runtime's start), not on the first customer's notice. A
 * folder that is missing or has errors is not an import error: `deps.templates()` reports it, with
 * every problem, where a notice is rendered. The stack ships templates/ with exactly these functions
 * and checks the folder at synth.
 */
import { defaultTemplates } from '../../adapters/template-files.ts';

try {
  defaultTemplates();
} catch {
  // thrown again, with every problem, by the first deps.templates()
}
