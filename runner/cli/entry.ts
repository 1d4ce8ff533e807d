/**
 * The executable entry (bin/hotbench.js imports the compiled file). Kept apart
 * from ./main.ts so tests can call `main()` without the process exiting.
 */
import { hideBin } from 'yargs/helpers';
import { main } from './main.js';

const code = await main(hideBin(process.argv));
// Exit explicitly: pools, timers or a chdb session must not keep a finished CLI alive.
process.exit(code);
