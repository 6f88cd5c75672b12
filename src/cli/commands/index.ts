import type { Command } from 'commander';
import { register as agent } from './agent.js';
import { register as alerts } from './alerts.js';
import { register as config } from './config.js';
import { register as demo } from './demo.js';
import { register as detect } from './detect.js';
import { register as ingest } from './ingest.js';
import { register as policy } from './policy.js';
import { register as posture } from './posture.js';
import { register as query } from './query.js';
import { register as rules } from './rules.js';
import { register as serve } from './serve.js';
import { register as sources } from './sources.js';
import { register as tokens } from './tokens.js';
import { register as verify } from './verify.js';
import { register as worker } from './worker.js';
import { register as checkpoint } from './checkpoint.js';
import { register as proof } from './proof.js';
import { register as retention } from './retention.js';
import { register as archive } from './archive.js';
import { register as hunt } from './hunt.js';

/** Every `vigil` sub-command registers itself through one function in this list. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [demo, ingest, query, alerts, serve, agent, tokens, detect, rules, verify, checkpoint, proof, retention, archive, posture, policy, sources, config, hunt, worker];
