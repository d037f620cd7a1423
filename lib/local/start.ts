// `npm start`: the local runtime (DESIGN section 8) is not built yet; until it lands this says so
// instead of failing with a missing-module error.
process.stderr.write(
  'local runtime not built yet (see docs/decisions.md and the open issue "local runtime").\n' +
    'Meanwhile the what-if works offline: npx impact assess --help\n',
);
process.exitCode = 1;
