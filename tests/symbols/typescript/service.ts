// Order service.
// @exposes App:Service to Tampering

import { Injectable } from "@nestjs/common";

export interface Finder {
  /** @exposes App:Service to Tampering */
  find(id: string): Promise<string>;
}

@Injectable()
export class OrderService implements Finder {
  /**
   * Finds an order.
   * @exposes App:Service to Tampering
   */
  @Get(":id")
  async find(id: string): Promise<string> {
    // @exposes App:Service to Tampering
    return id;
  }
}

namespace Internal {
  export function audit(): void {
    // @exposes App:Service to Tampering
  }
}

// @exposes App:Service to Tampering

function helper(): void {}
