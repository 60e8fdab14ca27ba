/**
 * @component Ts:Service (#ts_service) [compute]
 */
import { Injectable } from './di';

// @threat Insecure deserialisation (#ts_deser):
//   priority: critical
//   cwe: CWE-502
//   description: Untrusted payloads become objects.

interface Payload {
  body: string; // @handles secrets on Ts:Service
}

@Injectable()
export class Service {
  private readonly trap = `@threat Template TRAP ${1 + 1} // @threat Inline TRAP`;
  private readonly other: string = '/* @threat Quoted TRAP */';

  /**
   * Parses a payload.
   * @param raw the text
   * @mitigates Ts:Service against #ts_deser with schema validation
   */
  parse(raw: string): Payload {
    /* @exposes Ts:Service to #ts_deser with JSON.parse of raw input [medium] */
    // TODO @mitigates Ts:Service against #ts_deser
    // @skip @mitigates Ts:Service against #ts_deser
    return JSON.parse(raw) as Payload; // @control Schema validation (#ts_schema)
  }

  /** @tests #ts_schema for Ts:Service */
  check(): boolean {
    return this.trap.length > 0 && this.other.length > 0;
  }
}

/* @boundary between User and Ts (#ts_edge) */
type Handler = (p: Payload) => void; /* @connects User:Client to Ts:Service with gRPC */

/*
 * @threat Type confusion (#ts_confusion):
 *   likelihood: low
 *   description: Casts hide shape mismatches. */
