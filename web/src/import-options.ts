// The optional import settings a person can give each file in the Dashboard's
// file card (delimiter, quote, escape, encoding, header, column mapping), sent as tus metadata.
import type { Body, Meta, UppyFile } from '@uppy/core';
import type { DashboardOptions } from '@uppy/dashboard';
import type { ImportOptionValues } from './service-types.ts';

export type ImportMeta = Meta & ImportOptionValues & { review?: string };

/** The settings sent only when given. */
const OPTIONAL_KEYS = ['delimiter', 'quote', 'escape', 'encoding', 'header', 'mapping', 'review'] as const;
type ImportFile = UppyFile<ImportMeta, Body>;
type MetaField = Extract<NonNullable<DashboardOptions<ImportMeta, Body>['metaFields']>, unknown[]>[number];

type Render = NonNullable<MetaField['render']>;

const inputId = (fieldId: string) => `uppy-Dashboard-FileCard-input-${fieldId}`;

function select(fieldId: string, choices: Array<[string, string]>): Render {
  return ({ value, onChange, fieldCSSClasses, form }, h) =>
    h(
      'select',
      {
        id: inputId(fieldId),
        class: fieldCSSClasses.text,
        form,
        value: value ?? '',
        onChange: (event: Event) => onChange((event.target as HTMLSelectElement).value),
        'data-uppy-super-focusable': true,
      },
      ...choices.map(([choice, label]) => h('option', { value: choice }, label)),
    );
}

export const importMetaFields: MetaField[] = [
  {
    id: 'delimiter',
    name: 'Delimiter',
    render: select('delimiter', [
      ['', 'Detect'],
      [',', 'Comma ,'],
      [';', 'Semicolon ;'],
      ['\t', 'Tab'],
      ['|', 'Pipe |'],
    ]),
  },
  {
    id: 'quote',
    name: 'Quotes',
    render: select('quote', [
      ['', 'Detect'],
      ['"', 'Double quote "'],
      ["'", "Single quote '"],
      ['none', 'None: quotes are text'],
    ]),
  },
  {
    id: 'escape',
    name: 'Quote inside quotes',
    render: select('escape', [
      ['', 'Detect'],
      ['"', 'Doubled ""'],
      ['\\', 'Backslash \\"'],
    ]),
  },
  {
    id: 'encoding',
    name: 'Encoding',
    render: ({ value, onChange, fieldCSSClasses, form }, h) =>
      h('input', {
        id: inputId('encoding'),
        class: fieldCSSClasses.text,
        form,
        type: 'text',
        value: value ?? '',
        placeholder: 'Detect (or e.g. shift_jis, windows-1251)',
        onInput: (event: Event) => onChange((event.target as HTMLInputElement).value),
        'data-uppy-super-focusable': true,
      }),
  },
  {
    id: 'header',
    name: 'First row',
    render: select('header', [
      ['', 'Detect'],
      ['true', 'Column names'],
      ['false', 'Data'],
    ]),
  },
  {
    id: 'mapping',
    name: 'Column mapping (JSON)',
    render: ({ value, onChange, fieldCSSClasses, form }, h) =>
      h('textarea', {
        id: inputId('mapping'),
        class: fieldCSSClasses.text,
        form,
        rows: 4,
        value: value ?? '',
        placeholder: '{"columns": {"Email": {"name": "email"}}}',
        onInput: (event: Event) => onChange((event.target as HTMLTextAreaElement).value),
        'data-uppy-super-focusable': true,
      }),
  },
];

/** Problems that would make the import refuse the file, found before sending it. */
export function importMetaProblem(file: ImportFile): string | null {
  const mapping = file.meta.mapping?.trim();
  if (!mapping) return null;
  try {
    const parsed: unknown = JSON.parse(mapping);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return `The column mapping of ${file.name} must be a JSON object.`;
    }
  } catch {
    return `The column mapping of ${file.name} is not valid JSON.`;
  }
  return null;
}

/** Metadata sent with the upload: name and type, plus only the settings that were given. */
export function allowedMetaFieldsFor(file: ImportFile): string[] {
  const given = OPTIONAL_KEYS.filter((key) => (file.meta[key] ?? '').trim() !== '');
  // The tab delimiter is whitespace, so it must not be lost to trim().
  if (file.meta.delimiter === '\t' && !given.includes('delimiter')) given.push('delimiter');
  return ['name', 'type', ...given];
}
