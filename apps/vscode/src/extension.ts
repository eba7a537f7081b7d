import type * as vscode from 'vscode';

/** The HiveSync extension's entry point (see docs/vscode.md). */
export function activate(_context: vscode.ExtensionContext): void {}

export function deactivate(): void {}
