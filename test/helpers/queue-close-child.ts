/**
 * @module A process that uses the queue from TypeScript (queue-close.test.ts): starts a worker on the Redis of
 * argv[2], says "ready", and on a line on stdin closes it and says in how many seconds ("closed 1.02"). Then it
 * asks queueStatus and says how that ended ("status 5.01 <message>"), and returns: nothing else ends it.
 */
import { queueStatus, startWorker } from "../../src/index.ts";

const redis = process.argv[2]!;
const say = (line: string) => process.stdout.write(`${line}\n`);
const worker = await startWorker({ redis, name: "close-child", lockTimeoutSec: 1 });
say("ready");
for await (const _ of console) break;
let start = performance.now();
const seconds = () => ((performance.now() - start) / 1000).toFixed(2);
await worker.close();
say(`closed ${seconds()}`);
start = performance.now();
const outcome = await queueStatus({ redis }).then(
  () => "answered",
  (error: Error) => `${error.name}: ${error.message}`,
);
say(`status ${seconds()} ${outcome}`);
