// Profile page.
// @exposes App:Profile to Tampering

import React from "react";

/** @exposes App:Profile to Tampering */
export function Profile({ html }: { html: string }) {
  // @exposes App:Profile to Tampering
  return <div dangerouslySetInnerHTML={{ __html: html }} />;
}

export class Editor extends React.Component {
  /**
   * Saves the profile.
   * @exposes App:Profile to Tampering
   */
  @bound
  save() {
    // @exposes App:Profile to Tampering
    return null;
  }
}

// @exposes App:Profile to Tampering

const Avatar = () => <img />;
