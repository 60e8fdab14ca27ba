// @flow strict-local
/** @jsx h */

import { h } from 'preact';
import { useCallback, useState } from 'preact/hooks';

import type { Node } from 'react';

type Props = {
  initial: number,
  step?: number,
  onChange?: (value: number) => void,
};

/**
 * A counter with + and - buttons.
 *
 * Files opt in to checking with a pragma in their first comment:
 * @flow for the default mode, or @flow strict to also forbid `any`.
 * @noflow opts a file out.
 */
export default function Counter({ initial, step = 1, onChange }: Props): Node {
  const [value, setValue] = useState<number>(initial);

  const bump = useCallback(
    (delta: number) => {
      const next = value + delta;
      setValue(next);
      if (onChange) onChange(next);
    },
    [value, onChange],
  );

  return (
    <div className="counter">
      <button onClick={() => bump(-step)}>-</button>
      <output>{value}</output>
      <button onClick={() => bump(step)}>+</button>
    </div>
  );
}

// $FlowFixMe[incompatible-type] the legacy API passes strings
export const legacyInitial: number = '0';

// @flow
// ^ a second pragma is ignored: Flow only reads the first comment of the file.

const PRAGMAS = ['@flow', '@flow strict', '@noflow', '@jsx h'];

export function pragmaOf(source: string): ?string {
  return PRAGMAS.find((p) => source.includes(p)) ?? null; // @noflow files give '@noflow'
}
