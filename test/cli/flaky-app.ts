/** Exits with code 1 the first N times it runs (counted in a file), then with 0. Usage: flaky-app.ts <counterFile> <failures> */
import { readFileSync, writeFileSync } from 'node:fs';

const [counter, failures] = process.argv.slice(2);
let runs = 0;
try {
  runs = Number(readFileSync(counter!, 'utf8'));
} catch {}
writeFileSync(counter!, String(runs + 1));
process.exit(runs < Number(failures) ? 1 : 0);
