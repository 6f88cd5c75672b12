import type { AlertJson } from '../detect/alert.js';
import type { AlertStore } from '../detect/alert-store.js';

export const RETRO_HUNT = 'retro-hunt';

export interface FiledAlerts {
  /** Alerts written (new, or a previous hunt's alert brought up to date). */
  filed: number;
  /** Alerts left alone because live detection already raised them (same id: same rule, group and first event). */
  alreadyRaised: number;
}

/**
 * Files hunt alerts in the alert store marked `origin: retro-hunt`. An alert id that live
 * detection already stored is left as it is, so a hunt never duplicates nor rewrites a live
 * alert (its status, acknowledgements and notifications stay its own); re-running a hunt
 * updates the alerts it filed before instead of adding new ones.
 */
export async function fileRetroHuntAlerts(store: AlertStore, alerts: readonly AlertJson[]): Promise<FiledAlerts> {
  const toFile: AlertJson[] = [];
  let alreadyRaised = 0;
  for (const alert of alerts) {
    const existing = await store.getAlert(alert.id);
    if (existing !== undefined && existing.origin !== RETRO_HUNT) alreadyRaised++;
    else toFile.push({ ...alert, origin: RETRO_HUNT });
  }
  if (toFile.length > 0) await store.upsertAlerts(toFile);
  return { filed: toFile.length, alreadyRaised };
}
