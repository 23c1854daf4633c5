// Test-only runner for the optional TimescaleDB smoke test (backend-notes §1.3): starts PGlite
// with the TimescaleDB extension in-process and runs the steps of a JSON file, printing each
// step's rows as one JSON object. Steps are [name, sql]; "exec:" names run multi-statement SQL.
import { readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { timescaledb } from "@electric-sql/pglite/timescaledb";

const steps = JSON.parse(readFileSync(process.argv[2], "utf8"));
const db = await PGlite.create({ extensions: { timescaledb } });
const out = {};
for (const [name, sql] of steps) {
  try {
    if (name.startsWith("exec:")) {
      await db.exec(sql);
      out[name] = [];
    } else {
      out[name] = (await db.query(sql)).rows;
    }
  } catch (error) {
    out[name] = { error: String(error && error.message ? error.message : error) };
    break;
  }
}
await db.close();
process.stdout.write(JSON.stringify(out, (_, v) => (typeof v === "bigint" ? Number(v) : v)));
