"""A stand-in for the LSP package (sublimelsp/LSP): see LSP/plugin."""
