import { PdfUnavailableError, xlsxToPdf } from './pdf.js';

describe('xlsxToPdf', () => {
  it('says what to install when LibreOffice is missing, instead of failing obscurely', async () => {
    const attempt = xlsxToPdf(Buffer.from('PK'), { soffice: '/nonexistent/soffice' });
    await expect(attempt).rejects.toBeInstanceOf(PdfUnavailableError);
    await expect(attempt).rejects.toThrow('libreoffice-calc-nogui');
  });
});
