import { stringifyJson } from '../../../shared/providers/tencent/json';
import { json, type Api } from '../../bad-inputs/api';
import { withBody } from '../../bad-inputs/tampering-proxy';

/** Tencent API 3.0 answers errors with HTTP 200 and Response.Error; the request id is in the body only. */
export const tencentErrorAnswer: Api['errorAnswer'] = (answer, code, message) =>
  withBody(answer, stringifyJson({ Response: { Error: { Code: code, Message: message }, RequestId: json(answer).Response.RequestId } }));
