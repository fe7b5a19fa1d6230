import { PdfUnavailableError, xlsxToPdf } from './pdf.js';

describe('xlsxToPdf', () => {
  it('says what to install when LibreOffice is missing, instead of failing obscurely', async () => {
    const attempt = xlsxToPdf(Buffer.from('PK'), { soffice: '/nonexistent/soffice' });
    await expect(attempt).rejects.toBeInstanceOf(PdfUnavailableError);
    await expect(attempt).rejects.toThrow('libreoffice-calc-nogui');
  });
});

describe('xlsxToPdf in turn', () => {
  it('answers the next call after a failed one (the queue does not stall)', async () => {
    const failed = xlsxToPdf(Buffer.from('PK'), { soffice: '/nonexistent/soffice' });
    const again = xlsxToPdf(Buffer.from('PK'), { soffice: '/nonexistent/soffice' });
    await expect(failed).rejects.toBeInstanceOf(PdfUnavailableError);
    await expect(again).rejects.toBeInstanceOf(PdfUnavailableError);
  });
});
