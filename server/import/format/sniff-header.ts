// Classifies a cell as a typed value for header detection: a header cell is a
// name, so a number or date where the rows below also hold one means "no header".

export type SniffedKind = 'number' | 'date' | 'boolean';

const NUMBER = /^[-+]?(\d+|\d{1,3}([ ,.'\u00a0]\d{3})+)([.,]\d+)?([eE][-+]?\d+)?$/;
const DATE =
  /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[-+]\d{2}:?\d{2})?)?$/;
const BOOLEAN = /^(true|false)$/i;

export function looksTyped(cell: string): SniffedKind | null {
  if (NUMBER.test(cell)) return 'number';
  if (DATE.test(cell)) return 'date';
  if (BOOLEAN.test(cell)) return 'boolean';
  return null;
}
