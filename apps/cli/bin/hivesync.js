#!/usr/bin/env node
// The installed `hivesync` command. It exists before the first build, so npm can link it at install time;
// the code it runs is the compiled CLI.
const { main } = await import('../dist/main.js');
await main();
