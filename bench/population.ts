import type { Actor } from './actor.js';
import { addOns, controlPlane, kubelets } from './actors-cluster.js';
import { anonymous, ciAccounts, people, workloadAccounts } from './actors-people.js';
import type { ClusterWorld } from './cluster-world.js';
import { type Random, WeightedChoice } from './random.js';

/**
 * Everyone who talks to the apiserver, in groups whose share of the traffic is that of a
 * mid-size production cluster: the cluster's own components send most requests around the
 * clock, people and CI only in office hours.
 */
export interface Population {
  /** Draws the actor of the next request received at `micros` (time since the epoch). */
  pick(random: Random, micros: number): Actor;
}

interface Group {
  share: number;
  officeHoursOnly: boolean;
  actors: WeightedChoice<Actor>;
}

export function buildPopulation(world: ClusterWorld, random: Random): Population {
  const group = (share: number, officeHoursOnly: boolean, actors: Array<{ weight: number; actor: Actor }>): Group => ({
    share,
    officeHoursOnly,
    actors: new WeightedChoice(actors.map(({ weight, actor }) => ({ weight, value: actor }))),
  });
  const groups: Group[] = [
    group(50, false, kubelets(world, random).map((actor) => ({ weight: 1, actor }))),
    group(24, false, controlPlane(world, random)),
    group(10, false, addOns(world, random)),
    group(7, false, workloadAccounts(world, random)),
    group(3, true, ciAccounts(world, random)),
    group(5, true, people(world)),
    group(1, false, anonymous(world)),
  ];
  // Group shares change only with the hour, so the choice is built once per hour of the week.
  const byHourOfWeek = new Map<number, WeightedChoice<Group>>();
  return {
    pick(r, micros) {
      const hourOfWeek = Math.floor(micros / 3_600_000_000) % 168;
      let choice = byHourOfWeek.get(hourOfWeek);
      if (choice === undefined) {
        const activity = officeActivity(new Date(micros / 1000));
        choice = new WeightedChoice(groups.map((g) => ({ weight: g.officeHoursOnly ? g.share * activity : g.share, value: g })));
        byHourOfWeek.set(hourOfWeek, choice);
      }
      return choice.draw(r).actors.draw(r);
    },
  };
}

/** 1 in working hours (07–19 UTC, Monday to Friday), a trickle of on-call work otherwise. */
function officeActivity(time: Date): number {
  const day = time.getUTCDay();
  const hour = time.getUTCHours();
  if (day === 0 || day === 6) return 0.03;
  return hour >= 7 && hour < 19 ? 1 : 0.1;
}
