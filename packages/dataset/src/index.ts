export { generateDataset, type DatasetOptions } from './generate.js';
export { UNITS, PROGRAMMES, MERGES, REORGANISATION_ON, NEW_AREAS } from './reference.js';
export { Random, addDays } from './random.js';
