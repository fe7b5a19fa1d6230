export { SHEET_KINDS, KINDS, type SheetKind, type KindSpec, type Column } from './kinds.js';
export {
  readSpreadsheet,
  readXlsx,
  readCsv,
  sniffFormat,
  SheetFormatError,
  type SheetFormat,
  type RawSheet,
  type RawRow,
} from './read.js';
export { readSheets, formatProblem, type CellProblem, type SheetRow } from './rows.js';
export {
  planImport,
  naturalKey,
  type StoredEvent,
  type StreamReader,
  type TeacherReadable,
  type ImportPlan,
} from './plan.js';
export {
  importSpreadsheet,
  type SheetImportOptions,
  type SheetImportReport,
  type SheetIngestor,
} from './import.js';
export { templateXlsx, templateCsv, isSheetKind } from './template.js';
export { uuidV5, SHEETS_NAMESPACE } from './uuid.js';
export { readDate } from './cells.js';
