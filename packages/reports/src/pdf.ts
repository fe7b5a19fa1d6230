import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderReportXlsx } from './render.js';
import type { AnnualReport } from './types.js';

/** No office suite to print with: the PDF cannot be made on this machine. */
export class PdfUnavailableError extends Error {
  readonly code = 'pdf-unavailable';
}

/** Conversions run one at a time: each is a LibreOffice process of seconds and a few hundred MB. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * The workbook printed to PDF by LibreOffice headless (Debian
 * `libreoffice-calc-nogui`): exactly what a person gets who opens the XLSX
 * and prints it, A4 pages as the layout sets them. Each call runs its own
 * LibreOffice with a throw-away profile, so calls never share state; calls
 * wait for each other, so a burst of requests cannot start many at once.
 */
export const xlsxToPdf = (
  xlsx: Buffer,
  options: { readonly soffice?: string; readonly timeoutMs?: number } = {},
): Promise<Buffer> => {
  const next = queue.then(
    () => convert(xlsx, options),
    () => convert(xlsx, options),
  );
  queue = next.catch(() => undefined);
  return next;
};

const convert = async (
  xlsx: Buffer,
  options: { readonly soffice?: string; readonly timeoutMs?: number },
): Promise<Buffer> => {
  const dir = await mkdtemp(path.join(tmpdir(), 'nhagiao-pdf-'));
  try {
    const input = path.join(dir, 'bao-cao.xlsx');
    await writeFile(input, xlsx);
    await new Promise<void>((resolve, reject) => {
      execFile(
        options.soffice ?? 'soffice',
        [
          `-env:UserInstallation=file://${path.join(dir, 'profile')}`,
          '--headless',
          '--norestore',
          '--convert-to',
          'pdf',
          '--outdir',
          dir,
          input,
        ],
        { timeout: options.timeoutMs ?? 120_000 },
        (error) => {
          if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
            reject(
              new PdfUnavailableError(
                'LibreOffice (soffice) is not installed: install libreoffice-calc-nogui to print reports to PDF',
              ),
            );
          } else if (error !== null) reject(error);
          else resolve();
        },
      );
    });
    return await readFile(path.join(dir, 'bao-cao.pdf')).catch(() => {
      throw new Error('LibreOffice finished without writing the PDF');
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

/** The annual report as PDF: the XLSX of `renderReportXlsx`, printed. */
export const renderReportPdf = async (
  report: AnnualReport,
  options?: { readonly soffice?: string; readonly timeoutMs?: number },
): Promise<Buffer> => xlsxToPdf(await renderReportXlsx(report), options);
