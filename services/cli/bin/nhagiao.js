#!/usr/bin/env node
// The package's `bin`: the built command (scripts/build.mjs). A file of its own,
// there before any build, so installing the workspace can link it at once.
import module from 'node:module';

// Node 22.1 and later keep V8's compiled code of the build between runs (Node
// 20 has no such cache, and goes on without it).
module.enableCompileCache?.();
await import('../dist/nhagiao.js');
