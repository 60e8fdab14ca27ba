// Express app.
// @exposes App:Web to Tampering

import express from "express";

export class Sessions {
  /**
   * Logs a user in.
   * @exposes App:Web to Tampering
   */
  @logged
  login(user) {
    // @exposes App:Web to Tampering
    return user;
  }
}

export const handler = (req, res) => {
  // @exposes App:Web to Tampering
  res.send(req.body);
};

// @exposes App:Web to Tampering

function helper() {}
