// The JSON shape of GET /api/uploads/:id/rejected, shared with the web UI (type only).
export interface RejectedRowsPage {
  rejected: { recordNumber: number; line: number; column: string | null; message: string; raw: string | null }[];
  nextAfter: number | null;
}
