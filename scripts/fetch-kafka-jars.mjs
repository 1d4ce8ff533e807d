// Fetches the embedded Apache Kafka's jars through Maven once (into <HOTBENCH_HOME or .hotbench>/kafka/<version>/lib),
// so the tests' brokers start without the network. Prints what it did; one line and exit 1 when it cannot.
import { ensureKafkaJars } from '../dist/runner/stack/kafka-jars.js';

try {
  const jars = await ensureKafkaJars({ dataDir: process.env.HOTBENCH_HOME ?? '.hotbench', log: (line) => console.error(`test-services: ${line}`) });
  console.log(`test-services: Apache Kafka ${jars.version} jars ${jars.fetched ? 'fetched into' : 'cached in'} ${jars.libDir} (Java ${jars.javaMajor})`);
} catch (err) {
  console.error(`test-services: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
