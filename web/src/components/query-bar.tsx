import { useId, useMemo, useRef, useState } from 'react';
import type { FieldInfo } from '../api';

interface Suggestion {
  insert: string;
  label: string;
  detail: string;
}

/** The word being typed at the caret, if it is where a field name goes. */
function fieldAtCaret(text: string, caret: number): { start: number; word: string; inStage: boolean } | undefined {
  const before = text.slice(0, caret);
  const match = /(^|[\s(,!])([@A-Za-z_][\w.@]*)$/.exec(before);
  if (!match) return undefined;
  const start = caret - match[2].length;
  return { start, word: match[2], inStage: before.includes('|') };
}

function suggestionsFor(fields: readonly FieldInfo[], word: string, inStage: boolean): Suggestion[] {
  const lower = word.toLowerCase();
  const found: Suggestion[] = [];
  for (const field of fields) {
    const names = [field.name, ...field.aliases];
    const hit = names.find((name) => name.toLowerCase().startsWith(lower) && name.toLowerCase() !== lower);
    if (hit === undefined) continue;
    found.push({ insert: inStage ? field.name : `${field.name}=`, label: field.name, detail: field.aliases.length > 0 ? `${field.type} · ${field.aliases.join(', ')}` : field.type });
  }
  return found.slice(0, 8);
}

/**
 * The query input with field-name completion (arrow keys, Enter or Tab to take one, Escape to
 * close). Enter without an open suggestion runs the query.
 */
export function QueryBar({ value, onChange, onSubmit, fields }: { value: string; onChange: (text: string) => void; onSubmit: (text: string) => void; fields: readonly FieldInfo[] }) {
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const [caret, setCaret] = useState(value.length);
  const [active, setActive] = useState(-1);
  const [dismissed, setDismissed] = useState(false);
  const context = fieldAtCaret(value, caret);
  const suggestions = useMemo(() => (context && !dismissed ? suggestionsFor(fields, context.word, context.inStage) : []), [context?.word, context?.inStage, dismissed, fields]);
  const open = suggestions.length > 0;

  const accept = (suggestion: Suggestion) => {
    if (!context) return;
    const text = value.slice(0, context.start) + suggestion.insert + value.slice(caret);
    const position = context.start + suggestion.insert.length;
    onChange(text);
    setActive(-1);
    setCaret(position);
    requestAnimationFrame(() => input.current?.setSelectionRange(position, position));
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (open && event.key === 'ArrowDown') {
      event.preventDefault();
      setActive((index) => (index + 1) % suggestions.length);
    } else if (open && event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((index) => (index <= 0 ? suggestions.length - 1 : index - 1));
    } else if (open && active >= 0 && (event.key === 'Enter' || event.key === 'Tab')) {
      event.preventDefault();
      accept(suggestions[active]);
    } else if (open && event.key === 'Escape') {
      event.preventDefault();
      setDismissed(true);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      setDismissed(true);
      onSubmit(value);
    }
  };

  return (
    <div className="query-bar">
      <label htmlFor={`${listId}-input`}>Query</label>
      <div className="combobox">
        <input
          id={`${listId}-input`}
          ref={input}
          type="text"
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={open && active >= 0 ? `${listId}-${active}` : undefined}
          aria-describedby={`${listId}-hint`}
          autoComplete="off"
          spellCheck={false}
          placeholder='e.g. verb=delete user.name="bob@example.com"   or   code=403 | stats count() by user.name'
          value={value}
          onChange={(event) => {
            onChange(event.target.value);
            setCaret(event.target.selectionStart ?? event.target.value.length);
            setActive(-1);
            setDismissed(false);
          }}
          onSelect={(event) => setCaret(event.currentTarget.selectionStart ?? value.length)}
          onKeyDown={onKeyDown}
          onBlur={() => setTimeout(() => setDismissed(true), 150)}
          onFocus={() => setDismissed(false)}
        />
        {open && (
          <ul id={listId} role="listbox" className="suggestions" aria-label="Fields">
            {suggestions.map((suggestion, index) => (
              <li
                key={suggestion.label}
                id={`${listId}-${index}`}
                role="option"
                aria-selected={index === active}
                className={index === active ? 'active' : undefined}
                onMouseDown={(event) => {
                  event.preventDefault();
                  accept(suggestion);
                }}
              >
                <span className="name">{suggestion.label}</span> <span className="detail">{suggestion.detail}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <p id={`${listId}-hint`} className="hint">
        field=value, !=, =~regex, &gt;, wildcards*, free text, and/or/not; stages: | stats count() by field | sort -field | head N
      </p>
    </div>
  );
}
