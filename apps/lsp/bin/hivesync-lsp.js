#!/usr/bin/env node
// The installed `hivesync-lsp` command. It exists before the first build, so npm can link it at install time;
// the code it runs is the compiled server.
const { main } = await import('../dist/main.js');
main();
