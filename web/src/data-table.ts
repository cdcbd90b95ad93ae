// A plain HTML table in a scrolling box: column headers, a caption for screen
// readers, and a box keyboard users can reach with Tab to scroll wide tables.
export type CellText = string | number | boolean | null | undefined;

function cell(tag: 'th' | 'td', text: CellText): HTMLElement {
  const element = document.createElement(tag);
  element.textContent = text === null || text === undefined ? '' : String(text);
  if (tag === 'th') element.setAttribute('scope', 'col');
  return element;
}

export function renderDataTable(columns: string[], rows: CellText[][], caption: string): HTMLElement {
  const table = document.createElement('table');
  table.createCaption().textContent = caption;
  table
    .createTHead()
    .insertRow()
    .append(...columns.map((column) => cell('th', column)));
  const body = table.createTBody();
  for (const row of rows) body.insertRow().append(...row.map((value) => cell('td', value)));
  const wrapper = document.createElement('div');
  wrapper.className = 'table-wrap';
  wrapper.tabIndex = 0;
  wrapper.setAttribute('role', 'region');
  wrapper.setAttribute('aria-label', caption);
  wrapper.append(table);
  return wrapper;
}

/** A labelled form control: the label wraps the control, so clicking the text focuses it. */
export function labelled(text: string, control: HTMLElement, className = 'field'): HTMLLabelElement {
  const label = document.createElement('label');
  label.className = className;
  const span = document.createElement('span');
  span.textContent = text;
  label.append(span, control);
  return label;
}

export function selectOf(choices: Array<[string, string]>, value: string): HTMLSelectElement {
  const select = document.createElement('select');
  for (const [choice, text] of choices) select.add(new Option(text, choice, false, choice === value));
  select.value = value;
  return select;
}

export function buttonOf(text: string, className?: string): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = text;
  if (className) button.className = className;
  return button;
}
