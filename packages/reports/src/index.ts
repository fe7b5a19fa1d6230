export * from './types.js';
export {
  computeAnnualReport,
  defaultAsOf,
  ReportError,
  unitIndicatorValues,
  reportValuesAtHead,
  type AnnualReportInput,
  type SubmittedValue,
} from './compute.js';
export { reportSheets, metadataSheet, type Sheet } from './sheets.js';
export { renderReportCsv, renderReportJson, renderReportXlsx, readXlsxSheets } from './render.js';
export { cellText } from './cell-text.js';
export { withoutPersonalData } from './minimise.js';
export { PdfUnavailableError, renderReportPdf, xlsxToPdf } from './pdf.js';
