/**
 * The cluster scenarios, shared by the parent (bench/cluster/run.ts) and the child
 * (bench/cluster/child.ts). `use1` and `command` are the main bench's (each caller's own key,
 * `bench:<caller>`: 200 keys spread over the slots of every primary); `pipeline1000` differs: its
 * 1000 commands touch 500 keys (`SET k`, then `GET k`), so one pipeline spans every node and
 * hundreds of slots, the case a cluster client must split, send per node and put back in order.
 */
import {
  keyOf,
  PIPELINE_LENGTH,
  SCENARIO_TABLE,
  VALUE,
  type BenchCommand,
  type Scenario,
  type ScenarioName,
} from '../scenarios.js';

/** Command `i` of every mixed-slot pipeline: SET of key i/2 on even i, GET of it on odd i. */
export function mixedSlotCommand(i: number): BenchCommand {
  const key = keyOf(i >> 1);
  return i % 2 === 0 ? ['SET', key, VALUE] : ['GET', key];
}

/** The three scenarios, with a mixed-slot pipeline in place of the one-key one. */
export const CLUSTER_SCENARIO_TABLE: Readonly<Record<ScenarioName, Scenario>> = {
  use1: SCENARIO_TABLE.use1,
  command: SCENARIO_TABLE.command,
  pipeline1000: {
    name: 'pipeline1000',
    description: `a pipeline of ${PIPELINE_LENGTH} commands over ${PIPELINE_LENGTH / 2} keys in every node's slots, half SET, half GET`,
    commandsPerOp: PIPELINE_LENGTH,
    operation: (client) => {
      // Built once per caller: the bench measures the client, not our array building.
      const batch = Array.from({ length: PIPELINE_LENGTH }, (_, i) => mixedSlotCommand(i));
      return () => client.pipeline(batch);
    },
  },
};

/** The seeds of the cluster, as ChildTask.url carries them: comma-separated redis:// URLs. */
export function seedsOf(url: string): { urls: string[]; hostPorts: { host: string; port: number }[] } {
  const urls = url.split(',');
  const hostPorts = urls.map((u) => {
    const parsed = new URL(u);
    return { host: parsed.hostname, port: Number(parsed.port) };
  });
  return { urls, hostPorts };
}
