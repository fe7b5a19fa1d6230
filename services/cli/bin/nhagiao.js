#!/usr/bin/env node
// The package's `bin`: the built command (scripts/build.mjs). A file of its own,
// there before any build, so installing the workspace can link it at once.
import '../dist/nhagiao.js';
