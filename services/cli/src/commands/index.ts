import type { Command } from '../command.js';

/**
 * A command as `nhagiao --help` lists it; its code (and the packages it uses)
 * is loaded only when it runs or prints its own help, so listing the commands
 * loads none of them.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

/** Every command of `nhagiao`, in the order `--help` lists them. */
export const commands: readonly CommandEntry[] = [
  {
    name: 'demo',
    summary:
      'tạo dữ liệu mẫu Bắc Kạn, nhập và in bảng theo dõi / generate, import and show a Bắc Kạn demo',
    load: async () => (await import('./demo.js')).demoCommand,
  },
  {
    name: 'import',
    summary: 'nhập sự kiện từ tệp NDJSON, XLSX, CSV / import events or spreadsheets (- for stdin)',
    load: async () => (await import('./import.js')).importCommand,
  },
  {
    name: 'template',
    summary: 'mẫu bảng tính để nhập / a spreadsheet template to fill in and import',
    load: async () => (await import('./template.js')).templateCommand,
  },
  {
    name: 'indicators',
    summary: "các chỉ tiêu của kế hoạch tại một ngày / the plan's figures as of a date",
    load: async () => (await import('./indicators.js')).indicatorsCommand,
  },
  {
    name: 'explain',
    summary: 'ai được tính và vì sao / who is counted in a figure, and why',
    load: async () => (await import('./explain.js')).explainCommand,
  },
  {
    name: 'history',
    summary: 'số liệu thay đổi thế nào, do sự kiện nào / how a figure moved, event by event',
    load: async () => (await import('./history.js')).historyCommand,
  },
  {
    name: 'serve',
    summary: 'chạy API HTTP và trang theo dõi / run the HTTP API and the dashboard',
    load: async () => (await import('./serve.js')).serveCommand,
  },
  {
    name: 'keys',
    summary: 'khóa API: tạo, liệt kê, thu hồi / API keys: create, list, revoke',
    load: async () => (await import('./keys.js')).keysCommand,
  },
  {
    name: 'status',
    summary: 'trạng thái: vị trí, điểm kiểm, độ trễ / store head, checkpoints, lag and checks',
    load: async () => (await import('./pipeline.js')).statusCommandLine,
  },
  {
    name: 'rebuild',
    summary: 'dựng lại mô hình đọc từ nhật ký / rebuild the read model from the log (blue-green)',
    load: async () => (await import('./pipeline.js')).rebuildCommandLine,
  },
  {
    name: 'relay',
    summary: 'chuyển nhật ký sự kiện sang NATS JetStream / relay the event log to NATS JetStream',
    load: async () => (await import('./relay.js')).relayCommandLine,
  },
  {
    name: 'project',
    summary: 'chiếu sự kiện từ NATS vào mô hình đọc / project events from NATS into a read model',
    load: async () => (await import('./pipeline.js')).projectCommandLine,
  },
  {
    name: 'report',
    summary: 'báo cáo năm của đơn vị / the annual report of a unit',
    load: async () => (await import('./report.js')).reportCommand,
  },
  {
    name: 'verify',
    summary: 'kiểm tra lại toàn bộ lịch sử / verify history, checkpoints and submitted reports',
    load: async () => (await import('./verify.js')).verifyCommand,
  },
  {
    name: 'audit',
    summary: 'điểm kiểm tra, chuỗi bằng chứng / checkpoints, evidence trails, proofs',
    load: async () => (await import('./audit.js')).auditCommand,
  },
  {
    name: 'signing',
    summary: 'khóa ký điểm kiểm tra nhật ký / the key that signs log checkpoints',
    load: async () => (await import('./signing.js')).signingCommand,
  },
  {
    name: 'witness',
    summary: 'nhân chứng độc lập của nhật ký / an independent witness that cosigns the log',
    load: async () => (await import('./witness.js')).witnessCommand,
  },
  {
    name: 'export',
    summary: 'xuất gói kiểm toán tự kiểm được / export a self-contained audit bundle',
    load: async () => (await import('./export.js')).exportCommand,
  },
];
