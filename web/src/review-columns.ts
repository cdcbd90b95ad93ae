// The column editor of the review screen: per source column, keep or drop it,
// its stored name and its type (with the variants a type needs: the decimal
// separator, the date format), turned into the service's mapping JSON.
import { labelled, selectOf } from './data-table.ts';
import type { ColumnType, ImportPreview } from './service-types.ts';

type Suggested = ImportPreview['suggestedMapping']['columns'][number];

export interface MappingColumn {
  source: string;
  name: string;
  type: ColumnType;
  format?: string;
  decimalSeparator?: '.' | ',';
}

/** Each choice is a type with its options, as "type|format|separator" in the select's value. */
const TYPE_CHOICES: Array<[string, string]> = [
  ['text||', 'Text'],
  ['integer||', 'Whole number'],
  ['decimal||.', 'Decimal, point (12.50)'],
  ['decimal||,', 'Decimal, comma (12,50)'],
  ['boolean||', 'Yes/no (true, false)'],
  ['date|YYYY-MM-DD|', 'Date 2024-12-31'],
  ['date|DD/MM/YYYY|', 'Date 31/12/2024'],
  ['date|MM/DD/YYYY|', 'Date 12/31/2024'],
  ['date|DD.MM.YYYY|', 'Date 31.12.2024'],
  ['timestamp||', 'Date and time'],
  ['email||', 'Email address'],
];

function choiceOf(column: Suggested | MappingColumn): string {
  if (column.type === 'decimal') return `decimal||${column.decimalSeparator ?? '.'}`;
  if (column.type === 'date') return `date|${column.format ?? 'YYYY-MM-DD'}|`;
  return `${column.type}||`;
}

function typeFromChoice(choice: string): Pick<MappingColumn, 'type' | 'format' | 'decimalSeparator'> {
  const [type, format, separator] = choice.split('|');
  return {
    type: type as ColumnType,
    ...(format ? { format } : {}),
    ...(separator ? { decimalSeparator: separator as '.' | ',' } : {}),
  };
}

interface ColumnRow {
  source: string;
  keep: HTMLInputElement;
  name: HTMLInputElement;
  type: HTMLSelectElement;
}

export class ColumnEditor {
  readonly element = document.createElement('div');
  #rows: ColumnRow[] = [];

  constructor(private readonly onChange: () => void) {
    this.element.className = 'column-editor';
  }

  /** New columns (a new file or dialect): one row each, set as the service suggests. */
  show(suggested: Suggested[]): void {
    this.#rows = suggested.map((column, index) => this.#row(column, index));
    const table = document.createElement('table');
    table.createCaption().textContent = 'Columns: keep, name and type';
    const head = table.createTHead().insertRow();
    for (const title of ['Column', 'Keep', 'Name', 'Type']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = title;
      head.append(th);
    }
    const body = table.createTBody();
    for (const row of this.#rows) {
      const tr = body.insertRow();
      tr.dataset.source = row.source;
      const source = document.createElement('th');
      source.scope = 'row';
      source.textContent = row.source;
      tr.append(source);
      for (const control of [row.keep, row.name, row.type]) tr.insertCell().append(control);
    }
    const wrapper = document.createElement('div');
    wrapper.className = 'table-wrap';
    wrapper.tabIndex = 0;
    wrapper.setAttribute('role', 'region');
    wrapper.setAttribute('aria-label', 'Columns');
    wrapper.append(table);
    this.element.replaceChildren(wrapper);
  }

  #row(column: Suggested, index: number): ColumnRow {
    const keep = document.createElement('input');
    keep.type = 'checkbox';
    keep.checked = true;
    keep.setAttribute('aria-label', `Keep column ${column.source}`);
    const name = document.createElement('input');
    name.type = 'text';
    name.value = column.name;
    name.required = true;
    name.setAttribute('aria-label', `Name of column ${column.source}`);
    const type = selectOf(TYPE_CHOICES, choiceOf(column));
    type.setAttribute('aria-label', `Type of column ${column.source}`);
    keep.addEventListener('change', () => {
      name.disabled = !keep.checked;
      type.disabled = !keep.checked;
      this.onChange();
    });
    name.addEventListener('input', () => this.onChange());
    type.addEventListener('change', () => this.onChange());
    name.id = `column-name-${index}`;
    return { source: column.source, keep, name, type };
  }

  /** The kept columns as mapping entries, in file order. */
  columns(): MappingColumn[] {
    return this.#rows
      .filter((row) => row.keep.checked)
      .map((row) => ({ source: row.source, name: row.name.value.trim(), ...typeFromChoice(row.type.value) }));
  }

  /** What would make the service refuse the mapping, said before asking it. */
  problem(): string | null {
    const columns = this.columns();
    if (this.#rows.length > 0 && columns.length === 0) return 'Keep at least one column.';
    const empty = columns.find((column) => column.name === '');
    if (empty) return `Column ${empty.source} needs a name.`;
    const names = new Set<string>();
    for (const column of columns) {
      if (names.has(column.name)) return `The name "${column.name}" is used twice.`;
      names.add(column.name);
    }
    return null;
  }
}

/** A labelled select for the dialect fieldset. */
export function dialectSelect(text: string, choices: Array<[string, string]>): [HTMLLabelElement, HTMLSelectElement] {
  const select = selectOf(choices, '');
  return [labelled(text, select), select];
}
