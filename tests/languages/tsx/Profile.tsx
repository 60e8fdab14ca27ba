// @component Tsx:Profile (#tsx_profile) [compute]
// @threat DOM XSS (#tsx_domxss) [high]
import React from 'react';

/**
 * Shows a profile.
 * @mitigates Tsx:Profile against #tsx_domxss with React escaping
 */
export function Profile({ name }: { name: string }) {
  const hint = `@threat Template TRAP`; // @exposes Tsx:Profile to #tsx_domxss with dangerouslySetInnerHTML
  return (
    <div className="profile">
      {/* @review Tsx:Profile JSX comments are comments */}
      // @threat JSX text TRAP
      <span title="/* @threat Attribute TRAP */">{name}</span>
      {
        // @connects User:Browser to Tsx:Profile with HTTPS
        hint
      }
      {/*
         * @threat Clickjacking (#tsx_clickjack):
         *   severity: low
         *   description: Framed by another origin. */}
    </div>
  );
}
// TODO @mitigates Tsx:Profile against #tsx_clickjack
// @skip @mitigates Tsx:Profile against #tsx_clickjack
// @threat Prop injection (#tsx_props):
//   severity: low
//   description: Spread props reach the DOM.
